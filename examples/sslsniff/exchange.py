#!/usr/bin/env python3
# One TLS exchange between an OpenSSL release's own `openssl s_server` and
# `openssl s_client` on 127.0.0.1: the client sends REQUEST, the server
# answers RESPONSE, the client closes.  While both run, the sockets each
# process holds are read from /proc/PID/fd and /proc/net/tcp, so a probe's
# fds can be checked against the ones the processes really use.
#
# usage: exchange.py OPENSSL TLS(1.2|1.3) OUTDIR
#   OPENSSL  the release's openssl command; its directory holds its libssl
#            and libcrypto (run with LD_LIBRARY_PATH=that directory)
#   OUTDIR   gets key.pem, cert.pem and exchange.json:
#            {"server": {"pid": P, "fds": [N...]}, "client": {...},
#             "request": "...", "response": "...", "port": PORT}
#            fds: the process's fds that are the established connection
#            (socket inode in /proc/net/tcp, 127.0.0.1:PORT at one end).
import json
import os
import select
import socket
import subprocess
import sys
import time

REQUEST = b"GET /ucorebtf/sslsniff HTTP/1.0\nHost: localhost\nX-Probe: plaintext before encryption\n\n"
RESPONSE = b"HTTP/1.0 200 OK\nContent-Type: text/plain\n\nhello from s_server, read by one CO-RE object\n"
TIMEOUT = 30


def fail(msg):
    sys.stderr.write("Error: exchange: %s\n" % msg)
    sys.exit(1)


def wait_for(proc, needle, what):
    """Read proc's stdout until needle shows up."""
    buf = b""
    end = time.time() + TIMEOUT
    fd = proc.stdout.fileno()
    while needle not in buf:
        left = end - time.time()
        if left <= 0 or proc.poll() is not None and not select.select([fd], [], [], 0)[0]:
            fail("%s: %r not seen (got %r)" % (what, needle, buf[-300:]))
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if r:
            chunk = os.read(fd, 65536)
            if not chunk and proc.poll() is not None:
                continue
            buf += chunk
    return buf


def conn_inodes(port):
    """Socket inodes of established TCP connections with 127.0.0.1:port at one end."""
    out = set()
    want = "0100007F:%04X" % port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            p = line.split()
            if p[3] == "01" and want in (p[1], p[2]):
                out.add(p[9])
    return out


def conn_fds(pid, port):
    inodes = conn_inodes(port)
    fds = []
    d = "/proc/%d/fd" % pid
    for n in os.listdir(d):
        try:
            link = os.readlink(os.path.join(d, n))
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            fds.append(int(n))
    return sorted(fds)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("1.2", "1.3"):
        sys.stderr.write("usage: exchange.py OPENSSL 1.2|1.3 OUTDIR\n")
        sys.exit(2)
    openssl, tls, out = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(openssl))
    os.makedirs(out, exist_ok=True)
    cnf = os.path.join(out, "req.cnf")
    with open(cnf, "w") as f:
        f.write("[req]\ndistinguished_name = dn\n[dn]\n")
    env["OPENSSL_CONF"] = cnf
    key, cert = os.path.join(out, "key.pem"), os.path.join(out, "cert.pem")
    if not os.path.exists(cert):
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-subj", "/CN=localhost", "-days", "2"],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    flag = "-tls1_2" if tls == "1.2" else "-tls1_3"
    port = free_port()
    srv = subprocess.Popen([openssl, "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", cert,
                            "-key", key, "-naccept", "1", flag],
                           env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    cli = None
    try:
        wait_for(srv, b"ACCEPT", "s_server")
        cli = subprocess.Popen([openssl, "s_client", "-connect", "127.0.0.1:%d" % port, flag,
                                "-servername", "localhost"],
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
        cli.stdin.write(REQUEST)
        cli.stdin.flush()
        wait_for(srv, REQUEST, "s_server receiving the request")
        srv.stdin.write(RESPONSE)
        srv.stdin.flush()
        wait_for(cli, RESPONSE, "s_client receiving the response")
        res = {"port": port, "tls": tls,
               "request": REQUEST.decode(), "response": RESPONSE.decode(),
               "server": {"pid": srv.pid, "fds": conn_fds(srv.pid, port)},
               "client": {"pid": cli.pid, "fds": conn_fds(cli.pid, port)}}
        cli.stdin.close()
        if cli.wait(TIMEOUT) != 0:
            fail("s_client exited %d" % cli.returncode)
        srv.stdin.close()
        srv.wait(TIMEOUT)
    finally:
        for p in (cli, srv):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    with open(os.path.join(out, "exchange.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
