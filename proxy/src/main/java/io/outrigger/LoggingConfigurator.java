package io.outrigger;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Outrigger's Logback setup, in code rather than {@code logback.xml}: Logback's XML configurator (Joran and the JDK's
 * XML parser) loaded about 400 classes and took ~250 ms of every start, for a fixed setup. Found by Logback through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 *
 * <ul>
 *   <li>application logs: stderr, {@code HH:mm:ss.SSS LEVEL [thread] logger - message}, root level from
 *       {@code OUTRIGGER_LOG_LEVEL} (default {@code INFO});</li>
 *   <li>through an asynchronous appender (queue 8,192, never blocking, nothing discarded below the bound) so event
 *       loops never wait on a terminal or pipe;</li>
 *   <li>access logs: the level of logger {@code outrigger.access}, from {@code OUTRIGGER_ACCESS_LOG_LEVEL} (default
 *       {@code INFO}, {@code OFF} disables), switches the stdout access log; its lines bypass Logback
 *       ({@code AccessLogWriter}: one write per 64 KiB, where an appender on {@code System.out} wrote every line);</li>
 *   <li>{@code io.netty} at INFO, {@code io.netty.handler.codec.http2} at WARN (Netty's HTTP/2 codec logs peer
 *       misbehaviour at INFO, some with a stack trace: a client could flood the log; Outrigger counts these
 *       ({@code http.LISTENER.downstream_*}) and logs a rate-limited summary instead);</li>
 *   <li>{@code java.util.logging} levels follow Logback's (records are bridged to SLF4J in {@link Main}), so disabled
 *       ones cost nothing.</li>
 * </ul>
 * A level is read from the system property of the same name first, then the environment. With
 * {@code -Dlogback.configurationFile=...} (or a {@code logback-test.xml} on the class path, as in tests) Logback's own
 * configurators run instead.
 */
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {
    private static final int QUEUE_SIZE = 8192;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LoggingConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LevelChangePropagator julLevels = new LevelChangePropagator();
        julLevels.setContext(context);
        julLevels.setResetJUL(true);
        context.addListener(julLevels);
        julLevels.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("OUTRIGGER_LOG_LEVEL"));
        root.addAppender(async(context, "ASYNC_STDERR",
                console(context, "STDERR", "System.err", "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n")));

        Logger access = context.getLogger("outrigger.access");
        access.setLevel(level("OUTRIGGER_ACCESS_LOG_LEVEL"));
        access.setAdditive(false); // only its level is read: access lines go to stdout through AccessLogWriter

        context.getLogger("io.netty").setLevel(Level.INFO);
        context.getLogger("io.netty.handler.codec.http2").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The level named by a system property or environment variable {@code name}; INFO when unset or unknown. */
    static Level level(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name);
        }
        return Level.toLevel(value, Level.INFO);
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String target,
            String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setTarget(target);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static AsyncAppender async(LoggerContext context, String name, ConsoleAppender<ILoggingEvent> target) {
        AsyncAppender appender = new AsyncAppender();
        appender.setContext(context);
        appender.setName(name);
        appender.setQueueSize(QUEUE_SIZE);
        appender.setDiscardingThreshold(0);
        appender.setNeverBlock(true);
        appender.addAppender(target);
        appender.start();
        return appender;
    }
}
