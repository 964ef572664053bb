"""Several Rasa servers behind nginx, sharing one Redis and one action server.

    python -m bot.cluster          # `make run-cluster`: http://127.0.0.1:5005 through nginx

nginx sends REST requests round robin to the Rasa servers (and on to the next one when a
server is gone) and keeps socket.io sticky per client (ip_hash), because a socket.io session
lives in one server. Conversations live in Redis, so any server can take the next turn.
nginx's access log holds only the chosen upstream address, never a URL or a message.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from bot.redis_server import start_redis
from bot.launcher import (
    _stop,
    _wait_http,
    base_env,
    start_actions,
    start_rasa,
    supervise,
    write_credentials,
    write_endpoints,
)

NGINX_CONF = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstream_only '$upstream_addr';
    access_log {dir}/nginx-upstreams.log upstream_only;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 1m;
    upstream rasa_round_robin {{
{servers}
    }}
    upstream rasa_sticky {{
        ip_hash;
{servers}
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        location /socket.io/ {{
            proxy_pass http://rasa_sticky;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 300s;
        }}
        location / {{
            proxy_pass http://rasa_round_robin;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    port: int
    workdir: Path
    redis: subprocess.Popen
    actions: subprocess.Popen
    action_port: int = 5055
    nginx: Optional[subprocess.Popen] = None
    rasa: List[subprocess.Popen] = field(default_factory=list)
    rasa_ports: List[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def upstreams_used(self) -> List[str]:
        log = self.workdir / "nginx-upstreams.log"
        return log.read_text().split() if log.exists() else []


def nginx_config(workdir: Path, port: int, rasa_ports: List[int]) -> Path:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in rasa_ports)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(exist_ok=True)
    path = workdir / "nginx.conf"
    path.write_text(NGINX_CONF.format(dir=workdir, port=port, servers=servers))
    return path


def start_cluster(
    port: int = 5005,
    rasa_ports: List[int] = (5006, 5007),
    action_port: int = 5055,
    redis_port: int = 6380,
    timeout: float = 240,
) -> Cluster:
    for tool in ("redis-server", "nginx"):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} not found: run `bash bot/setup/cluster.sh`")
    workdir = Path(tempfile.mkdtemp(prefix="bot-cluster-"))
    redis = start_redis(redis_port, workdir / "redis.log")
    env = {**base_env(), "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    # One secret for every replica, so a widget's signed session works on each of them.
    env.setdefault("SESSION_SECRET", secrets.token_hex(32))
    actions = start_actions(action_port, workdir, open(workdir / "actions.log", "w"))
    cluster = Cluster(port, workdir, redis, actions, action_port)
    try:
        endpoints = write_endpoints(workdir, action_port, env)
        creds, _ = write_credentials(workdir, env)
        for p in rasa_ports:
            cluster.rasa.append(start_rasa(p, endpoints, creds, env, open(workdir / f"rasa-{p}.log", "w")))
            cluster.rasa_ports.append(p)
        _wait_http(f"http://127.0.0.1:{action_port}/health", timeout, actions, "action server")
        for p, proc in zip(rasa_ports, cluster.rasa):
            _wait_http(f"http://127.0.0.1:{p}/", timeout, proc, f"Rasa server on {p}")
        conf = nginx_config(workdir, port, list(rasa_ports))
        cluster.nginx = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"],
            stdout=open(workdir / "nginx.out", "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_http(f"{cluster.url}/", 30, cluster.nginx, "nginx")
    except Exception:
        stop_cluster(cluster)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    for proc in [cluster.nginx, *cluster.rasa, cluster.actions, cluster.redis]:
        _stop(proc)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args(argv)
    print("[cluster] starting Redis, the action server, two Rasa servers and nginx (about a minute)...", flush=True)
    try:
        cluster = start_cluster(args.port)
    except RuntimeError as e:
        print(f"[cluster] {e}", file=sys.stderr)
        return 1
    print(
        f"[cluster] ready on {cluster.url} (REST round robin, socket.io sticky); "
        f"logs in {cluster.workdir}. Ctrl-C stops everything.",
        flush=True,
    )
    try:
        # A dead Rasa server is left to nginx, which sends its requests to the other one.
        supervise("cluster", cluster, cluster.workdir / "actions.log")
    finally:
        print("\n[cluster] stopping...", flush=True)
        stop_cluster(cluster)
    return 0


if __name__ == "__main__":
    sys.exit(main())
