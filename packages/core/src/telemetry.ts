import { type Attributes, type Span, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * OpenTelemetry spans, through `@opentelemetry/api` only: with no SDK registered every span is a
 * no-op, so tracing costs next to nothing until an app installs one. Spans: `recall.lookup` (with
 * `recall.embed`, `recall.search` and `recall.verify` inside it), `recall.upstream` (the model call
 * `cache.run` makes; an adapter's own SDK traces the calls it makes), `recall.store`. Attributes
 * are `recall.*`: status, similarity, namespace, model, decided_by, … — never the question's text
 * unless the cache is created with `telemetry: { questions: true }`.
 */
const tracer = trace.getTracer("@recall/core");

/** Attribute names, one place. */
export const attr = {
  namespace: "recall.namespace",
  model: "recall.model",
  key: "recall.key",
  status: "recall.status",
  similarity: "recall.similarity",
  decidedBy: "recall.decided_by",
  question: "recall.question",
  during: "recall.during",
  outcome: "recall.outcome",
  candidates: "recall.candidates",
  mode: "recall.verify.mode",
  decision: "recall.verify.decision",
  stored: "recall.stored",
} as const;

/**
 * Runs `fn` inside a span named `name` (the active span, so spans started in `fn` are its
 * children). A throw is recorded on the span and rethrown; the span always ends.
 */
export function traced<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The attributes every span of one call carries. */
export function callAttributes(call: { namespace: string; model: string; key: string }): Attributes {
  return { [attr.namespace]: call.namespace, [attr.model]: call.model, [attr.key]: call.key };
}
