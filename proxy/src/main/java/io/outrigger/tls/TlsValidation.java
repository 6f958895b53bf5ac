package io.outrigger.tls;

import io.outrigger.config.ClusterConfig;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.tls.CertificateMaterial.InvalidMaterialException;

/**
 * Loads every certificate, key and CA the config names, as part of validation, so an unreadable file, a
 * key that does not match its certificate, an expired certificate or a wrong password is reported at the
 * {@code file:line:column} of the YAML key that names it — and a bad file never replaces a running config.
 */
public final class TlsValidation {
    private TlsValidation() {
    }

    /** Records a located error for each unusable TLS file of {@code config}. */
    public static void check(OutriggerConfig config) {
        for (ListenerConfig l : config.listeners()) {
            if (l.tls() != null) {
                try {
                    ServerTlsContexts.build(l.name(), l.tls());
                } catch (InvalidMaterialException e) {
                    e.node().error(e.getMessage());
                }
            }
        }
        for (ClusterConfig c : config.clusters()) {
            if (c.tls() != null) {
                try {
                    ClientTlsContext.forCluster(c);
                } catch (InvalidMaterialException e) {
                    e.node().error(e.getMessage());
                }
            }
        }
    }
}
