package io.hifadhi.chaos.client;

import io.hifadhi.chaos.history.OpType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The S3 API of one node through the real AWS SDK v2 client (path style, us-east-1, default
 * checksums and signing). SDK retries are off so that each recorded operation is exactly one HTTP
 * attempt whose outcome can be classified; the workload is the retry loop.
 */
public final class S3StoreClient implements StoreClient {
    private static final int MAX_LIST_PAGES = 20;

    private final URI endpoint;
    private final String bucket;
    private final String prefix;
    private final S3Client s3;

    /** @param prefix this run's key prefix inside the bucket, e.g. "run-123/" */
    public S3StoreClient(URI endpoint, String accessKey, String secretKey, String bucket, String prefix, Duration timeout) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.prefix = prefix;
        this.s3 = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(timeout).apiCallAttemptTimeout(timeout))
                .build();
    }

    /** Creates the bucket unless this caller already owns it. */
    public void ensureBucket() throws StoreException {
        call(() -> {
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException e) {
                // Another client of the same run created it first.
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return "s3 " + endpoint + "/" + bucket + "/" + prefix;
    }

    @Override
    public boolean supports(OpType type) {
        return true;
    }

    @Override
    public void put(String key, byte[] body) throws StoreException {
        call(() -> s3.putObject(b -> b.bucket(bucket).key(prefix + key).contentType("application/octet-stream"),
                RequestBody.fromBytes(body)));
    }

    @Override
    public Optional<byte[]> get(String key) throws StoreException {
        return call(() -> {
            try {
                ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + key));
                return Optional.of(bytes.asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void delete(String key) throws StoreException {
        call(() -> s3.deleteObject(b -> b.bucket(bucket).key(prefix + key)));
    }

    @Override
    public Set<String> list() throws StoreException {
        return call(() -> {
            Set<String> keys = new HashSet<>();
            String token = null;
            for (int page = 0; page < MAX_LIST_PAGES; page++) {
                String t = token;
                ListObjectsV2Response response = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).continuationToken(t));
                for (S3Object o : response.contents()) {
                    keys.add(o.key().substring(prefix.length()));
                }
                if (!Boolean.TRUE.equals(response.isTruncated())) {
                    return keys;
                }
                token = response.nextContinuationToken();
            }
            throw new StoreException(StoreException.Kind.REJECTED, "listing still truncated after " + MAX_LIST_PAGES + " pages", null);
        });
    }

    @Override
    public void close() {
        s3.close();
    }

    private interface Call<T> {
        T run() throws StoreException;
    }

    private static <T> T call(Call<T> call) throws StoreException {
        try {
            return call.run();
        } catch (S3Exception e) {
            String text = "HTTP " + e.statusCode() + " " + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode())
                    + ": " + e.getMessage();
            throw new StoreException(StoreException.ofErrorAnswer(text), text, e);
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new StoreException(StoreException.Kind.NO_ANSWER, e.toString(), e);
        } catch (SdkClientException e) {
            // Apache's HttpHostConnectException is a ConnectException too.
            if (NativeStoreClient.causedBy(e, ConnectException.class)) {
                throw new StoreException(StoreException.Kind.UNREACHABLE, e.toString(), e);
            }
            throw new StoreException(StoreException.Kind.NO_ANSWER, e.toString(), e);
        }
    }
}
