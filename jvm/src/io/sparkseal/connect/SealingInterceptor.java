package io.sparkseal.connect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkseal.Rules;
import io.sparkseal.SparksealException;
import io.sparkseal.Sealers;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.connect.proto.FetchErrorDetailsResponse;
import org.sparkproject.connect.google_protos.rpc.ErrorInfo;
import org.sparkproject.connect.grpc.ForwardingServerCall;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;
import org.sparkproject.connect.protobuf.Any;

/**
 * Every error a Spark Connect server sends its clients, sealed on the way out.
 *
 * <p>Spark turns a failed operation into a gRPC status (its description), an {@code ErrorInfo}
 * in the trailers (condition, class names, message parameters, optionally the server's stack
 * trace) and, on request, a {@code FetchErrorDetailsResponse} (messages, parameters, query
 * contexts, frames). Messages computed by the exception -- an {@code AnalysisException} appends
 * its plan -- are not reached by sealing the throwable, so this seals what is sent, by the
 * structure of those messages: readable are the condition, SQLSTATE, class names, error id and
 * frames; every message, parameter value, query context text and stack trace is sealed;
 * detail types other than {@code ErrorInfo} are dropped. sparkseal's own errors ({@link
 * SparksealException}) stay readable. If sealing fails, the client gets a fixed placeholder.
 */
public final class SealingInterceptor implements ServerInterceptor {
  private static final Metadata.Key<byte[]> DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final String ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";
  private static final Set<String> READABLE_INFO =
      Set.of("classes", "errorClass", "sqlState", "errorId");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLACEHOLDER =
      "[WITHHELD by sparkseal: SS003 the error could not be sealed]";

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
      @Override
      public void sendMessage(R message) {
        super.sendMessage(message instanceof FetchErrorDetailsResponse
            ? sealedDetails(message) : message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        if (status.isOk()) {
          super.close(status, trailers);
          return;
        }
        try {
          byte[] details = trailers.get(DETAILS);
          boolean own = details != null && isOwn(details);
          String description = status.getDescription();
          // Sealed once: the client checks that the details repeat the description exactly.
          String sealed = own ? description : seal(description);
          if (details != null) {
            trailers.discardAll(DETAILS);
            trailers.put(DETAILS, sealedStatusDetails(details, own, description, sealed));
          }
          super.close(status.withDescription(sealed), trailers);
        } catch (RuntimeException e) {
          trailers.discardAll(DETAILS);
          super.close(status.withDescription(PLACEHOLDER).withCause(null), trailers);
        }
      }
    }, headers);
  }

  @SuppressWarnings("unchecked")
  private static <R> R sealedDetails(R message) {
    try {
      FetchErrorDetailsResponse response = (FetchErrorDetailsResponse) message;
      FetchErrorDetailsResponse.Builder out = response.toBuilder();
      for (int i = 0; i < response.getErrorsCount(); i++) {
        FetchErrorDetailsResponse.Error error = response.getErrors(i);
        boolean own = error.getErrorTypeHierarchyList().contains(
            SparksealException.class.getName());
        if (own) {
          continue;
        }
        FetchErrorDetailsResponse.Error.Builder e = error.toBuilder();
        e.setMessage(seal(error.getMessage()));
        if (error.hasSparkThrowable()) {
          FetchErrorDetailsResponse.SparkThrowable t = error.getSparkThrowable();
          FetchErrorDetailsResponse.SparkThrowable.Builder tb = t.toBuilder();
          tb.clearMessageParameters().putAllMessageParameters(
              sealedValues(t.getMessageParametersMap()));
          for (int q = 0; q < t.getQueryContextsCount(); q++) {
            FetchErrorDetailsResponse.QueryContext c = t.getQueryContexts(q);
            tb.setQueryContexts(q, c.toBuilder()
                .setFragment(seal(c.getFragment()))
                .setCallSite(seal(c.getCallSite()))
                .setSummary(seal(c.getSummary()))
                .setObjectName(seal(c.getObjectName())));
          }
          e.setSparkThrowable(tb);
        }
        out.setErrors(i, e);
      }
      return (R) out.build();
    } catch (RuntimeException e) {
      return (R) FetchErrorDetailsResponse.getDefaultInstance();
    }
  }

  private static boolean isOwn(byte[] details) {
    try {
      for (Any any : org.sparkproject.connect.google_protos.rpc.Status.parseFrom(details)
          .getDetailsList()) {
        if (ERROR_INFO.equals(any.getTypeUrl())) {
          String classes = ErrorInfo.parseFrom(any.getValue()).getMetadataMap().get("classes");
          return classes != null && classes.startsWith(
              "[\"" + SparksealException.class.getName() + "\"");
        }
      }
    } catch (java.io.IOException e) {
      return false;
    }
    return false;
  }

  private static byte[] sealedStatusDetails(
      byte[] details, boolean own, String description, String sealedDescription) {
    try {
      org.sparkproject.connect.google_protos.rpc.Status status =
          org.sparkproject.connect.google_protos.rpc.Status.parseFrom(details);
      org.sparkproject.connect.google_protos.rpc.Status.Builder out =
          status.toBuilder().clearDetails().setMessage(
              own ? status.getMessage()
                  : status.getMessage().equals(description) ? sealedDescription
                  : seal(status.getMessage()));
      for (Any any : status.getDetailsList()) {
        if (!ERROR_INFO.equals(any.getTypeUrl())) {
          continue; // not a type we know how to seal: not sent
        }
        ErrorInfo info = ErrorInfo.parseFrom(any.getValue());
        Map<String, String> metadata = new TreeMap<>();
        info.getMetadataMap().forEach((key, value) -> metadata.put(key,
            own || READABLE_INFO.contains(key) ? value
                : "messageParameters".equals(key) ? sealedJsonValues(value) : seal(value)));
        ErrorInfo sealed = info.toBuilder().clearMetadata().putAllMetadata(metadata).build();
        out.addDetails(Any.newBuilder().setTypeUrl(ERROR_INFO).setValue(sealed.toByteString()));
      }
      return out.build().toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable status details");
    }
  }

  private static String sealedJsonValues(String json) {
    try {
      Map<String, String> values =
          JSON.readValue(json, new TypeReference<Map<String, String>>() {});
      return JSON.writeValueAsString(sealedValues(values));
    } catch (java.io.IOException | RuntimeException e) {
      return seal(json);
    }
  }

  private static Map<String, String> sealedValues(Map<String, String> values) {
    Map<String, String> out = new TreeMap<>();
    values.forEach((key, value) -> out.put(key, seal(value)));
    return out;
  }

  /** {@code text} sealed; a leading condition Spark's registry knows stays readable. */
  static String seal(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String head = Rules.readableCondition(text);
    return head + Sealers.get().sealText(text.substring(head.length()));
  }
}
