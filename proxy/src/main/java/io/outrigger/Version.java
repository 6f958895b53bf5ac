package io.outrigger;

/** The build's version, from the jar manifest ({@code Implementation-Version}). */
public final class Version {
    private Version() {
    }

    /** The version, or {@code dev} when not running from the packaged jar. */
    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
