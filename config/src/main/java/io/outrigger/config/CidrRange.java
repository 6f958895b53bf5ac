package io.outrigger.config;

/**
 * An IP address range in CIDR notation (Envoy's {@code CidrRange}), e.g. {@code 10.0.0.0/8}.
 *
 * @param addressPrefix an IPv4 or IPv6 literal
 * @param prefixLen     leading bits that must match: 0..32 (IPv4) or 0..128 (IPv6)
 */
public record CidrRange(String addressPrefix, int prefixLen) {
    public CidrRange {
        int max = addressPrefix.indexOf(':') >= 0 ? 128 : 32;
        if (prefixLen < 0 || prefixLen > max) {
            throw new IllegalArgumentException("prefix_len: " + prefixLen + " (expected: 0 to " + max + ")");
        }
    }

    /**
     * Parses {@code address/len} (a bare address means a single host).
     *
     * @return {@code null} when the text is not an IP literal with a valid prefix length (no DNS lookups)
     */
    public static CidrRange parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!isIpLiteral(address)) {
            return null;
        }
        boolean v6 = address.indexOf(':') >= 0;
        int len = v6 ? 128 : 32;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (len < 0 || len > (v6 ? 128 : 32)) {
                return null;
            }
        }
        return new CidrRange(address, len);
    }

    private static boolean isIpLiteral(String s) {
        if (s.indexOf(':') >= 0) {
            return s.matches("[0-9A-Fa-f:.]+") && s.length() >= 2;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return addressPrefix + "/" + prefixLen;
    }
}
