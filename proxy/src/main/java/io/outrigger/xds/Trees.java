package io.outrigger.xds;

import java.util.List;
import java.util.Map;

/** Small accessors over the maps and lists of a resource's JSON tree (the translators' shared vocabulary). */
final class Trees {
    private Trees() {
    }

    static String hostPort(Map<String, Object> socket) {
        String host = String.valueOf(socket.get("address"));
        int port = number(socket.get("port_value"), 0);
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static String typeOf(Map<String, Object> any) {
        if (any == null || !(any.get("@type") instanceof String t)) {
            return "";
        }
        int slash = t.lastIndexOf('/');
        return slash < 0 ? t : t.substring(slash + 1);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    static int number(Object o, int dflt) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        if (o instanceof String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }
}
