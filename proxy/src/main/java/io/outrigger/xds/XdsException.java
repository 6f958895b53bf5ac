package io.outrigger.xds;

/** A resource Outrigger cannot take: the message says which field and why (it becomes the NACK's error detail). */
public final class XdsException extends Exception {
    public XdsException(String message) {
        super(message);
    }
}
