package io.outrigger.xds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * PEM material that came inline over xDS (SDS secrets, inline {@code DataSource}s), kept as files the TLS contexts read
 * like any other: one directory per process, readable by its owner only ({@code 0700}, files {@code 0600}), removed at
 * exit. Files are named by the SHA-256 of their content, so a rotated secret is a new path: the listener that uses it
 * is updated (new connections get the new certificate) and nothing ever changes under a running context. Thread-safe.
 */
final class SecretFiles {
    private final Path dir;

    SecretFiles() throws IOException {
        Path d;
        try {
            d = Files.createTempDirectory("outrigger-sds-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            d = Files.createTempDirectory("outrigger-sds-");
        }
        this.dir = d;
        Runtime.getRuntime().addShutdownHook(new Thread(this::deleteAll, "outrigger-sds-cleanup"));
    }

    /**
     * @param content PEM text
     * @return the file holding it (written once per distinct content)
     * @throws XdsException when it cannot be written
     */
    String write(String content) throws XdsException {
        Path f = dir.resolve(sha256(content) + ".pem");
        if (Files.exists(f)) {
            return f.toString();
        }
        try {
            Path tmp = Files.createTempFile(dir, "w", ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the directory's own permissions apply
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new XdsException("secret material cannot be stored: " + e.getMessage());
        }
        return f.toString();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void deleteAll() {
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
