package io.outrigger.xds;

import static io.outrigger.xds.Trees.list;
import static io.outrigger.xds.Trees.map;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Envoy's TLS contexts ({@code DownstreamTlsContext}, {@code UpstreamTlsContext}) and SDS secrets into Outrigger's
 * {@code tls} blocks; inline material becomes private files ({@link SecretFiles}).
 */
final class TlsTranslator {

    private TlsTranslator() {
    }

    static final String DOWNSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

    record TlsResult(Map<String, Object> tree, XdsTranslator.Missing missing) {
    }

    /**
     * A {@code DownstreamTlsContext} into the listener's {@code tls}: certificates inline, from files or from SDS
     * ({@code tls_certificate_sds_secret_configs}), the client-certificate validation context likewise, ALPN, and
     * {@code require_client_certificate}.
     */
    static TlsResult downstreamTls(Map<String, Object> ctx, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, SecretFiles files) throws XdsException {
        try {
            return new TlsResult(downstream(ctx, secrets, files), null);
        } catch (SecretNotYet e) {
            return new TlsResult(null, new XdsTranslator.Missing(XdsTypes.SDS, e.name));
        }
    }

    private static Map<String, Object> downstream(Map<String, Object> ctx, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, SecretFiles files)
            throws XdsException, SecretNotYet {
        ctx.remove("@type");
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> common = map(ctx.remove("common_tls_context"));
        Object require = ctx.remove("require_client_certificate");
        if (!ctx.isEmpty()) {
            throw new XdsException("transport_socket." + ctx.keySet().iterator().next() + ": not supported");
        }
        if (common == null) {
            throw new XdsException("transport_socket: no common_tls_context");
        }
        List<Object> certificates = new ArrayList<>();
        for (Object c : list(common.remove("tls_certificates"))) {
            certificates.add(certificate(map(c), files));
        }
        for (Object sds : list(common.remove("tls_certificate_sds_secret_configs"))) {
            certificates.add(certificate(sdsPart(sds, secrets, "tls_certificate"), files));
        }
        out.put("certificates", certificates);
        if (common.get("alpn_protocols") != null) {
            out.put("alpn_protocols", common.remove("alpn_protocols"));
        }
        Map<String, Object> validation = validationContext(common, secrets);
        if (validation != null) {
            Map<String, Object> v = new LinkedHashMap<>();
            Map<String, Object> ca = map(validation.remove("trusted_ca"));
            if (ca != null) {
                v.put("trusted_ca", dataSource(ca, files));
            }
            if (validation.get("match_subject_alt_names") != null) {
                v.put("match_subject_alt_names", validation.remove("match_subject_alt_names"));
            }
            if (!validation.isEmpty()) {
                throw new XdsException("validation_context." + validation.keySet().iterator().next() + ": not supported");
            }
            out.put("validation", v);
        }
        if (require != null) {
            out.put("require_client_certificate", require);
        }
        if (!common.isEmpty()) {
            throw new XdsException("common_tls_context." + common.keySet().iterator().next() + ": not supported");
        }
        return out;
    }

    static final String UPSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

    /**
     * An {@code UpstreamTlsContext} into the cluster's {@code tls}: {@code sni}, the CA ({@code validation_context}
     * or its SDS secret), a client certificate (inline, file or SDS: mTLS), ALPN. Hostnames are verified against
     * {@code sni} (or the endpoint's name), as Outrigger always does.
     */
    static TlsResult upstreamTls(Map<String, Object> ctx, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, SecretFiles files) throws XdsException {
        try {
            return new TlsResult(upstream(ctx, secrets, files), null);
        } catch (SecretNotYet e) {
            return new TlsResult(null, new XdsTranslator.Missing(XdsTypes.SDS, e.name));
        }
    }

    private static Map<String, Object> upstream(Map<String, Object> ctx, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, SecretFiles files)
            throws XdsException, SecretNotYet {
        ctx.remove("@type");
        Map<String, Object> out = new LinkedHashMap<>();
        if (ctx.get("sni") != null) {
            out.put("sni", ctx.remove("sni"));
        }
        Map<String, Object> common = map(ctx.remove("common_tls_context"));
        if (!ctx.isEmpty()) {
            throw new XdsException("transport_socket." + ctx.keySet().iterator().next() + ": not supported");
        }
        if (common == null) {
            return out;
        }
        List<Object> certificates = new ArrayList<>(list(common.remove("tls_certificates")));
        for (Object sds : list(common.remove("tls_certificate_sds_secret_configs"))) {
            certificates.add(sdsPart(sds, secrets, "tls_certificate"));
        }
        if (certificates.size() > 1) {
            throw new XdsException("tls_certificates: " + certificates.size() + " client certificates (at most one)");
        }
        if (certificates.size() == 1) {
            out.putAll(certificate(map(certificates.get(0)), files));
        }
        Map<String, Object> validation = validationContext(common, secrets);
        if (validation != null) {
            Map<String, Object> ca = map(validation.remove("trusted_ca"));
            if (ca != null) {
                out.put("trusted_ca", dataSource(ca, files));
            }
            if (!validation.isEmpty()) {
                throw new XdsException("validation_context." + validation.keySet().iterator().next() + ": not supported");
            }
        }
        if (common.get("alpn_protocols") != null) {
            out.put("alpn_protocols", common.remove("alpn_protocols"));
        }
        if (!common.isEmpty()) {
            throw new XdsException("common_tls_context." + common.keySet().iterator().next() + ": not supported");
        }
        return out;
    }

    /** An SDS secret a context names that has not arrived: the resource waits for it (Envoy's warming). */
    private static final class SecretNotYet extends Exception {
        final String name;

        SecretNotYet(String name) {
            super(name, null, false, false);
            this.name = name;
        }
    }

    /**
     * The {@code part} ({@code tls_certificate} or {@code validation_context}) of the SDS secret an
     * {@code sds_secret_config} names.
     *
     * @throws SecretNotYet  when the secret has not been received
     * @throws XdsException when the secret holds something else
     */
    private static Map<String, Object> sdsPart(Object sdsConfig, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, String part)
            throws XdsException, SecretNotYet {
        String name = (String) map(sdsConfig).get("name");
        var secret = secrets.get(name);
        if (secret == null) {
            throw new SecretNotYet(name);
        }
        Map<String, Object> value = map(ProtoJson.map(secret).get(part));
        if (value == null) {
            throw new XdsException("secret '" + name + "': expected a " + part);
        }
        return value;
    }

    /** The validation context of a {@code common_tls_context}: inline, or its SDS secret's; {@code null} for none. */
    private static Map<String, Object> validationContext(Map<String, Object> common, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets) throws XdsException, SecretNotYet {
        Map<String, Object> inline = map(common.remove("validation_context"));
        Object sds = common.remove("validation_context_sds_secret_config");
        return sds == null ? inline : sdsPart(sds, secrets, "validation_context");
    }

    static Map<String, Object> certificate(Map<String, Object> c, SecretFiles files) throws XdsException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("certificate_chain", dataSource(map(c.remove("certificate_chain")), files));
        out.put("private_key", dataSource(map(c.remove("private_key")), files));
        if (!c.isEmpty()) {
            throw new XdsException("tls_certificate." + c.keySet().iterator().next() + ": not supported");
        }
        return out;
    }

    /** Envoy's {@code DataSource}: a file as it is, inline material kept as a private file. */
    static String dataSource(Map<String, Object> ds, SecretFiles files) throws XdsException {
        if (ds == null) {
            throw new XdsException("tls: a certificate_chain, private_key or trusted_ca is missing");
        }
        if (ds.get("filename") instanceof String f) {
            return f;
        }
        String inline = ds.get("inline_string") instanceof String s ? s
                : ds.get("inline_bytes") instanceof String b ? new String(java.util.Base64.getDecoder().decode(b),
                java.nio.charset.StandardCharsets.UTF_8) : null;
        if (inline == null || files == null) {
            throw new XdsException("tls: expected filename, inline_string or inline_bytes");
        }
        return files.write(inline);
    }

    /** The SDS secrets a listener's TLS contexts name (certificates and validation context). */
    static List<String> sdsNames(Listener l) {
        List<String> names = new ArrayList<>();
        for (var chain : l.getFilterChainsList()) {
            if (chain.hasTransportSocket()) {
                secretNames(chain.getTransportSocket().getTypedConfig(), DOWNSTREAM_TLS,
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.class, names);
            }
        }
        return names;
    }

    /** The SDS secrets a cluster's upstream TLS context names. */
    static List<String> sdsNames(Cluster c) {
        List<String> names = new ArrayList<>();
        if (c.hasTransportSocket()) {
            secretNames(c.getTransportSocket().getTypedConfig(), UPSTREAM_TLS,
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class, names);
        }
        return names;
    }

    /** Adds the SDS names a TLS context of {@code type} names; an undecodable one names none (it is rejected itself). */
    private static <T extends com.google.protobuf.Message> void secretNames(com.google.protobuf.Any typed, String type,
            Class<T> cls, List<String> into) {
        if (!typed.getTypeUrl().endsWith(type)) {
            return;
        }
        try {
            T ctx = typed.unpack(cls);
            var common = ctx instanceof io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext d
                    ? d.getCommonTlsContext()
                    : ((io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext) ctx).getCommonTlsContext();
            common.getTlsCertificateSdsSecretConfigsList().forEach(c -> into.add(c.getName()));
            if (common.hasValidationContextSdsSecretConfig()) {
                into.add(common.getValidationContextSdsSecretConfig().getName());
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            // the resource itself is rejected for it
        }
    }
}
