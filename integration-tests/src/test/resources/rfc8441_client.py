"""RFC 8441 WebSocket over HTTP/2 (h2c prior knowledge) with the python h2 library (Debian's python3-h2).

usage: rfc8441_client.py HOST PORT PATH TEXT
Prints the server's SETTINGS_ENABLE_CONNECT_PROTOCOL, the extended CONNECT's :status, and the echo of one
WebSocket text message sent over the stream's DATA frames.
"""
import os
import socket
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings

host, port, path, text = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sock = socket.create_connection((host, port), timeout=10)
conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
conn.initiate_connection()
sock.sendall(conn.data_to_send())


def events():
    data = sock.recv(65535)
    if not data:
        raise SystemExit("connection closed")
    evs = conn.receive_data(data)
    sock.sendall(conn.data_to_send())
    return evs


enabled = None
while enabled is None:
    for e in events():
        if isinstance(e, h2.events.RemoteSettingsChanged):
            s = e.changed_settings.get(h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL)
            enabled = s.new_value if s else 0
print("enable_connect_protocol", enabled, flush=True)

sid = conn.get_next_available_stream_id()
conn.send_headers(sid, [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                        (":path", path), (":authority", "%s:%d" % (host, port)), ("sec-websocket-version", "13")])
sock.sendall(conn.data_to_send())

payload = text.encode()
mask = os.urandom(4)
frame = bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
status = None
got = b""
while True:
    for e in events():
        if isinstance(e, h2.events.ResponseReceived):
            status = dict(e.headers)[":status"]
            print("status", status, flush=True)
            if status != "200":
                raise SystemExit(0)
            conn.send_data(sid, frame)
            sock.sendall(conn.data_to_send())
        elif isinstance(e, h2.events.DataReceived):
            got += e.data
            conn.acknowledge_received_data(e.flow_controlled_length, sid)
            sock.sendall(conn.data_to_send())
        elif isinstance(e, h2.events.StreamReset):
            raise SystemExit("stream reset %s" % e.error_code)
    if len(got) >= 2 and len(got) >= 2 + (got[1] & 0x7F):
        n = got[1] & 0x7F
        print("echo", got[2:2 + n].decode(), flush=True)
        break
