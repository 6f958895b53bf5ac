# Shared by the bench scripts (sourced).

# wait_listening TRIES PORT...: waits up to TRIES x 0.2 s for each PORT to have a listening TCP socket on this host.
# It asks ss and never connects: with nothing listening yet, a connect to a port in the ephemeral range (the
# harness's 48xxx ports are) can pick that same port as its source and connect to itself, which then holds the port.
wait_listening() {
  local tries=$1 port; shift
  for port in "$@"; do
    for _ in $(seq "$tries"); do [ -n "$(ss -Hltn "sport = :$port")" ] && break; sleep 0.2; done
  done
}
