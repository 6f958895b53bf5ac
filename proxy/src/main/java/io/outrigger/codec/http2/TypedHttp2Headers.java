package io.outrigger.codec.http2;

import io.netty.handler.codec.CharSequenceValueConverter;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * The part of {@link Http2Headers} that is conversion, not storage: typed reads and writes (Netty's
 * {@link CharSequenceValueConverter}, as {@code DefaultHttp2Headers} converts), the pseudo-header accessors, defaults,
 * and the multi-value forms, each in terms of a subclass's {@code get}, {@code add}, {@code set}, {@code remove} and
 * {@code contains}. A value that does not convert reads as absent, as in Netty's headers.
 */
abstract class TypedHttp2Headers implements Http2Headers {
    static final CharSequenceValueConverter CONVERT = CharSequenceValueConverter.INSTANCE;

    private <T> T typed(CharSequence name, Function<CharSequence, T> convert) {
        CharSequence v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return convert.apply(v);
        } catch (RuntimeException e) {
            return null; // as Netty's headers: an unconvertible value reads as absent
        }
    }

    private <T> T typedAndRemove(CharSequence name, Function<CharSequence, T> convert) {
        T v = typed(name, convert);
        remove(name);
        return v;
    }

    private static <T> T orElse(T v, T defaultValue) {
        return v == null ? defaultValue : v;
    }

    @Override
    public CharSequence get(CharSequence name, CharSequence defaultValue) {
        CharSequence v = get(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public CharSequence getAndRemove(CharSequence name, CharSequence defaultValue) {
        CharSequence v = getAndRemove(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Boolean getBoolean(CharSequence name) {
        return typed(name, CONVERT::convertToBoolean);
    }

    @Override
    public boolean getBoolean(CharSequence name, boolean defaultValue) {
        return orElse(getBoolean(name), defaultValue);
    }

    @Override
    public Byte getByte(CharSequence name) {
        return typed(name, CONVERT::convertToByte);
    }

    @Override
    public byte getByte(CharSequence name, byte defaultValue) {
        return orElse(getByte(name), defaultValue);
    }

    @Override
    public Character getChar(CharSequence name) {
        return typed(name, CONVERT::convertToChar);
    }

    @Override
    public char getChar(CharSequence name, char defaultValue) {
        return orElse(getChar(name), defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return typed(name, CONVERT::convertToShort);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return orElse(getShort(name), defaultValue);
    }

    @Override
    public Integer getInt(CharSequence name) {
        return typed(name, CONVERT::convertToInt);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return orElse(getInt(name), defaultValue);
    }

    @Override
    public Long getLong(CharSequence name) {
        return typed(name, CONVERT::convertToLong);
    }

    @Override
    public long getLong(CharSequence name, long defaultValue) {
        return orElse(getLong(name), defaultValue);
    }

    @Override
    public Float getFloat(CharSequence name) {
        return typed(name, CONVERT::convertToFloat);
    }

    @Override
    public float getFloat(CharSequence name, float defaultValue) {
        return orElse(getFloat(name), defaultValue);
    }

    @Override
    public Double getDouble(CharSequence name) {
        return typed(name, CONVERT::convertToDouble);
    }

    @Override
    public double getDouble(CharSequence name, double defaultValue) {
        return orElse(getDouble(name), defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return typed(name, CONVERT::convertToTimeMillis);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return orElse(getTimeMillis(name), defaultValue);
    }

    @Override
    public Boolean getBooleanAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToBoolean);
    }

    @Override
    public boolean getBooleanAndRemove(CharSequence name, boolean defaultValue) {
        return orElse(getBooleanAndRemove(name), defaultValue);
    }

    @Override
    public Byte getByteAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToByte);
    }

    @Override
    public byte getByteAndRemove(CharSequence name, byte defaultValue) {
        return orElse(getByteAndRemove(name), defaultValue);
    }

    @Override
    public Character getCharAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToChar);
    }

    @Override
    public char getCharAndRemove(CharSequence name, char defaultValue) {
        return orElse(getCharAndRemove(name), defaultValue);
    }

    @Override
    public Short getShortAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToShort);
    }

    @Override
    public short getShortAndRemove(CharSequence name, short defaultValue) {
        return orElse(getShortAndRemove(name), defaultValue);
    }

    @Override
    public Integer getIntAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToInt);
    }

    @Override
    public int getIntAndRemove(CharSequence name, int defaultValue) {
        return orElse(getIntAndRemove(name), defaultValue);
    }

    @Override
    public Long getLongAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToLong);
    }

    @Override
    public long getLongAndRemove(CharSequence name, long defaultValue) {
        return orElse(getLongAndRemove(name), defaultValue);
    }

    @Override
    public Float getFloatAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToFloat);
    }

    @Override
    public float getFloatAndRemove(CharSequence name, float defaultValue) {
        return orElse(getFloatAndRemove(name), defaultValue);
    }

    @Override
    public Double getDoubleAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToDouble);
    }

    @Override
    public double getDoubleAndRemove(CharSequence name, double defaultValue) {
        return orElse(getDoubleAndRemove(name), defaultValue);
    }

    @Override
    public Long getTimeMillisAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToTimeMillis);
    }

    @Override
    public long getTimeMillisAndRemove(CharSequence name, long defaultValue) {
        return orElse(getTimeMillisAndRemove(name), defaultValue);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value) {
        return contains(name, value, false);
    }

    @Override
    public boolean containsObject(CharSequence name, Object value) {
        return contains(name, CONVERT.convertObject(value));
    }

    @Override
    public boolean containsBoolean(CharSequence name, boolean value) {
        return contains(name, CONVERT.convertBoolean(value));
    }

    @Override
    public boolean containsByte(CharSequence name, byte value) {
        return contains(name, CONVERT.convertByte(value));
    }

    @Override
    public boolean containsChar(CharSequence name, char value) {
        return contains(name, CONVERT.convertChar(value));
    }

    @Override
    public boolean containsShort(CharSequence name, short value) {
        return contains(name, CONVERT.convertShort(value));
    }

    @Override
    public boolean containsInt(CharSequence name, int value) {
        return contains(name, CONVERT.convertInt(value));
    }

    @Override
    public boolean containsLong(CharSequence name, long value) {
        return contains(name, CONVERT.convertLong(value));
    }

    @Override
    public boolean containsFloat(CharSequence name, float value) {
        return contains(name, CONVERT.convertFloat(value));
    }

    @Override
    public boolean containsDouble(CharSequence name, double value) {
        return contains(name, CONVERT.convertDouble(value));
    }

    @Override
    public boolean containsTimeMillis(CharSequence name, long value) {
        return contains(name, CONVERT.convertTimeMillis(value));
    }

    @Override
    public Http2Headers add(CharSequence name, CharSequence... values) {
        return add(name, Arrays.asList(values));
    }

    @Override
    public Http2Headers addObject(CharSequence name, Object value) {
        return add(name, CONVERT.convertObject(Objects.requireNonNull(value, "value")));
    }

    @Override
    public Http2Headers addObject(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            addObject(name, v);
        }
        return this;
    }

    @Override
    public Http2Headers addObject(CharSequence name, Object... values) {
        return addObject(name, Arrays.asList(values));
    }

    @Override
    public Http2Headers addBoolean(CharSequence name, boolean value) {
        return add(name, CONVERT.convertBoolean(value));
    }

    @Override
    public Http2Headers addByte(CharSequence name, byte value) {
        return add(name, CONVERT.convertByte(value));
    }

    @Override
    public Http2Headers addChar(CharSequence name, char value) {
        return add(name, CONVERT.convertChar(value));
    }

    @Override
    public Http2Headers addShort(CharSequence name, short value) {
        return add(name, CONVERT.convertShort(value));
    }

    @Override
    public Http2Headers addInt(CharSequence name, int value) {
        return add(name, CONVERT.convertInt(value));
    }

    @Override
    public Http2Headers addLong(CharSequence name, long value) {
        return add(name, CONVERT.convertLong(value));
    }

    @Override
    public Http2Headers addFloat(CharSequence name, float value) {
        return add(name, CONVERT.convertFloat(value));
    }

    @Override
    public Http2Headers addDouble(CharSequence name, double value) {
        return add(name, CONVERT.convertDouble(value));
    }

    @Override
    public Http2Headers addTimeMillis(CharSequence name, long value) {
        return add(name, CONVERT.convertTimeMillis(value));
    }

    @Override
    public Http2Headers set(CharSequence name, Iterable<? extends CharSequence> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public Http2Headers set(CharSequence name, CharSequence... values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public Http2Headers setObject(CharSequence name, Object value) {
        return set(name, CONVERT.convertObject(Objects.requireNonNull(value, "value")));
    }

    @Override
    public Http2Headers setObject(CharSequence name, Iterable<?> values) {
        remove(name);
        return addObject(name, values);
    }

    @Override
    public Http2Headers setObject(CharSequence name, Object... values) {
        remove(name);
        return addObject(name, values);
    }

    @Override
    public Http2Headers setBoolean(CharSequence name, boolean value) {
        return set(name, CONVERT.convertBoolean(value));
    }

    @Override
    public Http2Headers setByte(CharSequence name, byte value) {
        return set(name, CONVERT.convertByte(value));
    }

    @Override
    public Http2Headers setChar(CharSequence name, char value) {
        return set(name, CONVERT.convertChar(value));
    }

    @Override
    public Http2Headers setShort(CharSequence name, short value) {
        return set(name, CONVERT.convertShort(value));
    }

    @Override
    public Http2Headers setInt(CharSequence name, int value) {
        return set(name, CONVERT.convertInt(value));
    }

    @Override
    public Http2Headers setLong(CharSequence name, long value) {
        return set(name, CONVERT.convertLong(value));
    }

    @Override
    public Http2Headers setFloat(CharSequence name, float value) {
        return set(name, CONVERT.convertFloat(value));
    }

    @Override
    public Http2Headers setDouble(CharSequence name, double value) {
        return set(name, CONVERT.convertDouble(value));
    }

    @Override
    public Http2Headers setTimeMillis(CharSequence name, long value) {
        return set(name, CONVERT.convertTimeMillis(value));
    }

    @Override
    public Http2Headers method(CharSequence value) {
        return set(PseudoHeaderName.METHOD.value(), value);
    }

    @Override
    public Http2Headers scheme(CharSequence value) {
        return set(PseudoHeaderName.SCHEME.value(), value);
    }

    @Override
    public Http2Headers authority(CharSequence value) {
        return set(PseudoHeaderName.AUTHORITY.value(), value);
    }

    @Override
    public Http2Headers path(CharSequence value) {
        return set(PseudoHeaderName.PATH.value(), value);
    }

    @Override
    public Http2Headers status(CharSequence value) {
        return set(PseudoHeaderName.STATUS.value(), value);
    }

    @Override
    public CharSequence method() {
        return get(PseudoHeaderName.METHOD.value());
    }

    @Override
    public CharSequence scheme() {
        return get(PseudoHeaderName.SCHEME.value());
    }

    @Override
    public CharSequence authority() {
        return get(PseudoHeaderName.AUTHORITY.value());
    }

    @Override
    public CharSequence path() {
        return get(PseudoHeaderName.PATH.value());
    }

    @Override
    public CharSequence status() {
        return get(PseudoHeaderName.STATUS.value());
    }
}
