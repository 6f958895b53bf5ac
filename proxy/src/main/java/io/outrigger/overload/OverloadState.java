package io.outrigger.overload;

/**
 * Which of the overload manager's actions are active now. Read on the request path: each call is one volatile read.
 */
public interface OverloadState {
    /** Never overloaded. */
    OverloadState NONE = new OverloadState() {
        @Override
        public boolean disableHttpKeepalive() {
            return false;
        }

        @Override
        public boolean stopAcceptingRequests() {
            return false;
        }

        @Override
        public boolean stopAcceptingConnections() {
            return false;
        }
    };

    /** Responses end their connection (HTTP/1.1 {@code Connection: close}, HTTP/2 GOAWAY). */
    boolean disableHttpKeepalive();

    /** New requests get 503 locally. */
    boolean stopAcceptingRequests();

    /** New connections are closed as accepted. */
    boolean stopAcceptingConnections();
}
