package io.outrigger.config;

/**
 * One access log of a listener ({@code access_log[]}).
 *
 * @param path   where lines go: {@code /dev/stdout} (through the asynchronous logging appender), or a file
 *               appended to by a background writer
 * @param format {@code text} (Envoy's default format) or {@code json} (one object per line)
 */
public record AccessLogConfig(String path, Format format) {
    public static final String STDOUT = "/dev/stdout";
    /** Without an {@code access_log} key a listener logs Envoy's text format to stdout. */
    public static final AccessLogConfig DEFAULT = new AccessLogConfig(STDOUT, Format.TEXT);

    /** Line formats. */
    public enum Format { TEXT, JSON }
}
