package io.outrigger.config;

/**
 * A {@code host:port} pair; IPv6 literals are written {@code [::1]:8080}.
 *
 * @param host a host name or IP literal (without brackets)
 * @param port 0..65535; 0 asks the OS for a free port (listeners and admin only)
 */
public record HostAndPort(String host, int port) {
    public HostAndPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or IP)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @return the address, or {@code null} when the text is malformed
     */
    public static HostAndPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            return null;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            return null;
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port < 0 || port > 65_535 || host.isEmpty() ? null : new HostAndPort(host, port);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ':' + port;
    }
}
