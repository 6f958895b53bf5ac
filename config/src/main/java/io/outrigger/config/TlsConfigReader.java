package io.outrigger.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the {@code tls:} sections of listeners and clusters. File contents are checked later, by the proxy. */
final class TlsConfigReader {
    private static final Set<String> DOWNSTREAM_ALPN = Set.of("h2", "http/1.1");

    private TlsConfigReader() {
    }

    static DownstreamTlsConfig downstream(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<TlsCertificateConfig> certificates = new ArrayList<>();
        Map<String, ConfigNode> names = new HashMap<>();
        List<ConfigNode> certNodes = m.required("certificates").map(ConfigNode::asList).orElse(List.of());
        for (ConfigNode c : certNodes) {
            TlsCertificateConfig cert = certificate(c, true);
            if (cert == null) {
                continue;
            }
            for (String name : cert.serverNames()) {
                ConfigNode first = names.putIfAbsent(name, c);
                if (first != null) {
                    c.error("server name '" + name + "' already served by the certificate at line " + first.line());
                }
            }
            certificates.add(cert);
        }
        if (certNodes.isEmpty() && m.has("certificates")) {
            m.optional("certificates").get().error("no certificates (expected: at least one)");
        }
        List<String> alpn = alpn(m, DOWNSTREAM_ALPN, DownstreamTlsConfig.DEFAULT_ALPN);
        boolean requireClient = m.bool("require_client_certificate", false);
        FileRef trustedCa = null;
        List<SanMatcher> sans = new ArrayList<>();
        Optional<ConfigNode> validation = m.optional("validation");
        if (validation.isPresent()) {
            ConfigMap v = validation.get().asMap();
            trustedCa = file(v, "trusted_ca");
            for (ConfigNode s : v.list("match_subject_alt_names")) {
                SanMatcher matcher = sanMatcher(s);
                if (matcher != null) {
                    sans.add(matcher);
                }
            }
            v.finish();
        }
        if (requireClient && trustedCa == null) {
            m.optional("require_client_certificate").get()
                    .error("needs validation.trusted_ca (expected: the CA bundle that signs client certificates)");
        }
        if (!sans.isEmpty() && !requireClient) {
            validation.get().error("match_subject_alt_names needs require_client_certificate: true");
        }
        m.finish();
        return new DownstreamTlsConfig(certificates, alpn, requireClient, trustedCa, sans, n);
    }

    static UpstreamTlsConfig upstream(ConfigNode n) {
        ConfigMap m = n.asMap();
        String sni = m.string("sni").orElse(null);
        FileRef trustedCa = file(m, "trusted_ca");
        boolean verifyHostname = m.bool("verify_hostname", true);
        TlsCertificateConfig client = null;
        if (m.has("certificate_chain") || m.has("private_key")) {
            client = certificate(n, m, false);
        } else {
            m.optional("private_key_password").ifPresent(p -> p.error("needs certificate_chain and private_key"));
        }
        List<String> alpn = alpn(m, Set.of("h2", "http/1.1"), List.of());
        m.finish();
        return new UpstreamTlsConfig(sni, trustedCa, verifyHostname, client, alpn);
    }

    private static TlsCertificateConfig certificate(ConfigNode n, boolean withServerNames) {
        ConfigMap m = n.asMap();
        TlsCertificateConfig c = certificate(n, m, withServerNames);
        m.finish();
        return c;
    }

    private static TlsCertificateConfig certificate(ConfigNode n, ConfigMap m, boolean withServerNames) {
        FileRef chain = requiredFile(m, "certificate_chain");
        FileRef key = requiredFile(m, "private_key");
        PasswordSource password = m.optional("private_key_password").map(TlsConfigReader::password).orElse(null);
        List<String> serverNames = new ArrayList<>();
        if (withServerNames) {
            for (ConfigNode s : m.list("server_names")) {
                s.asString().map(v -> v.toLowerCase(Locale.ROOT)).ifPresent(v -> {
                    if (v.isEmpty() || v.indexOf('*') > 0 || v.startsWith("*") && !v.startsWith("*.")) {
                        s.error("'" + v + "' (expected: a host name or *.suffix)");
                    } else {
                        serverNames.add(v);
                    }
                });
            }
        }
        return chain == null || key == null ? null : new TlsCertificateConfig(chain, key, password, serverNames);
    }

    private static PasswordSource password(ConfigNode n) {
        ConfigMap m = n.asMap();
        String env = m.string("environment_variable").orElse(null);
        FileRef file = file(m, "filename");
        if (m.has("inline_string")) {
            m.optional("inline_string").get().error("passwords are never inline (expected: environment_variable or filename)");
        }
        m.finish();
        if ((env == null) == (file == null)) {
            n.error("expected exactly one of environment_variable, filename");
            return null;
        }
        return new PasswordSource(env, file, n);
    }

    private static SanMatcher sanMatcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        String exact = m.string("exact").orElse(null);
        String prefix = m.string("prefix").orElse(null);
        m.finish();
        if ((exact == null) == (prefix == null)) {
            n.error("expected exactly one of exact, prefix");
            return null;
        }
        return new SanMatcher(exact, prefix);
    }

    private static List<String> alpn(ConfigMap m, Set<String> allowed, List<String> dflt) {
        if (!m.has("alpn_protocols")) {
            m.optional("alpn_protocols");
            return dflt;
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode p : m.list("alpn_protocols")) {
            p.asString().ifPresent(v -> {
                if (!allowed.contains(v)) {
                    p.error("'" + v + "' (expected: one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
                } else {
                    out.add(v);
                }
            });
        }
        return out.isEmpty() ? dflt : out;
    }

    private static FileRef requiredFile(ConfigMap m, String key) {
        Optional<ConfigNode> n = m.required(key);
        return n.flatMap(node -> node.asString().map(s -> new FileRef(Path.of(s), node))).orElse(null);
    }

    private static FileRef file(ConfigMap m, String key) {
        Optional<ConfigNode> n = m.optional(key);
        return n.flatMap(node -> node.asString().map(s -> new FileRef(Path.of(s), node))).orElse(null);
    }
}
