package io.outrigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

class GrpcTest {
    @Test
    void grpcTimeoutUnitsAndMalformedValues() {
        assertThat(Grpc.timeoutMs("1H")).isEqualTo(3_600_000);
        assertThat(Grpc.timeoutMs("2M")).isEqualTo(120_000);
        assertThat(Grpc.timeoutMs("3S")).isEqualTo(3_000);
        assertThat(Grpc.timeoutMs("250m")).isEqualTo(250);
        assertThat(Grpc.timeoutMs("1500u")).isEqualTo(2);   // rounded up
        assertThat(Grpc.timeoutMs("1n")).isEqualTo(1);      // never rounded down to "no deadline"
        assertThat(Grpc.timeoutMs("0m")).isZero();
        assertThat(Grpc.timeoutMs("99999999S")).isEqualTo(99_999_999_000L); // 8 digits: the most allowed
        assertThat(Grpc.timeoutMs("99999999H")).isEqualTo(99_999_999L * 3_600_000L); // no overflow
        assertThat(Grpc.timeoutMs(null)).isEqualTo(-1);
        assertThat(Grpc.timeoutMs("123456789S")).isEqualTo(-1); // 9 digits
        assertThat(Grpc.timeoutMs("10")).isEqualTo(-1);         // no unit
        assertThat(Grpc.timeoutMs("1x")).isEqualTo(-1);
        assertThat(Grpc.timeoutMs("-1S")).isEqualTo(-1);
    }

    @Test
    void statusIsOneOrTwoDigitsElseAbsent() {
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, "0"))).isZero();
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, "14"))).isEqualTo(14);
        assertThat(Grpc.status(new DefaultHttpHeaders())).isEqualTo(-1);
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, ""))).isEqualTo(-1);
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, "100"))).isEqualTo(-1);
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, "-1"))).isEqualTo(-1);
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, "+1"))).isEqualTo(-1);
        assertThat(Grpc.status(new DefaultHttpHeaders().set(Grpc.GRPC_STATUS, "1x"))).isEqualTo(-1);
    }

    @Test
    void messagesArePercentEncodedAsTheGrpcSpecSays() {
        assertThat(Grpc.percentEncode("plain text: ok")).isEqualTo("plain text: ok");
        assertThat(Grpc.percentEncode("100% ünï\n")).isEqualTo("100%25 %C3%BCn%C3%AF%0A");
    }

    @Test
    void httpStatusesMapAsEnvoyAndTheIssueSay() {
        assertThat(Grpc.statusFor(404)).isEqualTo(Grpc.UNIMPLEMENTED);
        assertThat(Grpc.statusFor(503)).isEqualTo(Grpc.UNAVAILABLE);
        assertThat(Grpc.statusFor(502)).isEqualTo(Grpc.UNAVAILABLE);
        assertThat(Grpc.statusFor(504)).isEqualTo(Grpc.DEADLINE_EXCEEDED);
        assertThat(Grpc.statusFor(429)).isEqualTo(Grpc.RESOURCE_EXHAUSTED);
        assertThat(Grpc.statusFor(403)).isEqualTo(Grpc.PERMISSION_DENIED);
        assertThat(Grpc.statusFor(401)).isEqualTo(Grpc.UNAUTHENTICATED);
        assertThat(Grpc.statusFor(400)).isEqualTo(Grpc.INTERNAL);
        assertThat(Grpc.statusFor(418)).isEqualTo(Grpc.UNKNOWN);
    }

    @Test
    void recognisesGrpcContentTypes() {
        assertThat(Grpc.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc"))).isTrue();
        assertThat(Grpc.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc+proto"))).isTrue();
        assertThat(Grpc.isGrpc(new DefaultHttpHeaders().set("content-type", "Application/GRPC;charset=utf-8"))).isTrue();
        assertThat(Grpc.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc-web"))).isFalse();
        assertThat(Grpc.isGrpc(new DefaultHttpHeaders().set("content-type", "application/json"))).isFalse();
        assertThat(Grpc.isGrpc(new DefaultHttpHeaders())).isFalse();
    }
}
