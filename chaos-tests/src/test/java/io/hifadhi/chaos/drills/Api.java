package io.hifadhi.chaos.drills;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Which client API a drill drives: chosen by -Dchaos.api=auto|native|s3 (auto: S3 when the node serves it). */
enum Api {
    NATIVE, S3;

    static Api choose(URI node) {
        String wanted = System.getProperty("chaos.api", "auto");
        return switch (wanted) {
            case "native" -> NATIVE;
            case "s3" -> S3;
            case "auto" -> servesS3(node) ? S3 : NATIVE;
            default -> throw new IllegalArgumentException("-Dchaos.api must be auto, native or s3, not " + wanted);
        };
    }

    /** An unsigned GET / is refused by an S3 endpoint with an XML AccessDenied error. */
    static boolean servesS3(URI node) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.resolve("/"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 403 && r.body().contains("AccessDenied");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
