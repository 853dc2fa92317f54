import type { GenerationParams, ModelRef, ResponseFormat, ToolChoice, ToolDefinition } from "@recall/core";
import { collectSecrets, stripSecrets } from "@recall/core/adapter";

/** What an llmKey says about the call, with credentials and transport settings removed. */
export interface ModelCall {
  model: ModelRef;
  /** `chat` for chat models, `completion` for string-in string-out LLMs. */
  kind: "chat" | "completion";
  params: GenerationParams;
  /** The credential values found (and dropped), so callers can check nothing else carries them. */
  secrets: Set<string>;
}

/**
 * Settings that change how a call travels, not what it answers. Compared without case, `_` or `-`.
 * `stream` is here too: a streamed and a plain call get the same answer, so they share an entry.
 */
const TRANSPORT = new Set([
  "baseurl",
  "basepath",
  "apiurl",
  "endpoint",
  "organization",
  "project",
  "timeout",
  "maxretries",
  "maxconcurrency",
  "signal",
  "callbacks",
  "callbackmanager",
  "verbose",
  "tags",
  "metadata",
  "runname",
  "runid",
  "configurable",
  "recursionlimit",
  "stream",
  "streaming",
  "streamusage",
  "streamoptions",
  "dangerouslyallowbrowser",
  "fetch",
  "httpagent",
  "httpsagent",
  "defaultheaders",
  "defaultquery",
  "headers",
  "options",
  "clientoptions",
  "configuration",
  "clientconfig",
  "cache",
  "onfailedattempt",
  "disablestreaming",
  "user",
  "promptindex",
  "lsstructuredoutputformat",
  "recall",
  // streamEvents() passes its own options along with the model's call options.
  "version",
  "encoding",
]);

const MODEL_ID = [
  "model",
  "model_name",
  "modelName",
  "model_id",
  "modelId",
  "deploymentName",
  "azureOpenAIApiDeploymentName",
];

/** Generation parameters under the names providers use, mapped to Recall's. */
const ALIASES: Record<
  Exclude<keyof GenerationParams, "extra" | "tools" | "toolChoice" | "responseFormat" | "reasoning">,
  string[]
> = {
  temperature: ["temperature"],
  topP: ["top_p", "topP"],
  topK: ["top_k", "topK"],
  maxOutputTokens: [
    "max_tokens",
    "maxTokens",
    "max_completion_tokens",
    "maxCompletionTokens",
    "max_output_tokens",
    "maxOutputTokens",
    "maxTokensToSample",
    "max_tokens_to_sample",
    "num_predict",
    "numPredict",
  ],
  stopSequences: ["stop", "stopSequences", "stop_sequences"],
  seed: ["seed"],
  presencePenalty: ["presence_penalty", "presencePenalty"],
  frequencyPenalty: ["frequency_penalty", "frequencyPenalty"],
};
const REASONING = ["reasoning", "reasoning_effort", "reasoningEffort", "thinking"];

/** Reads a parsed llmKey (see `parseLlmKey`) into a model, a kind and generation parameters. */
export function modelCall(members: Record<string, unknown>): ModelCall {
  const secrets = collectSecrets(members);
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(members)) {
    if (value === undefined || value === null || TRANSPORT.has(name.replace(/[-_]/g, "").toLowerCase()))
      continue;
    rest[name] = value;
  }
  const clean = stripSecrets(rest) as Record<string, unknown>;

  const provider = stringOf(take(clean, ["_type"])) || "langchain";
  const kind = take(clean, ["_model"]) === "base_llm" ? "completion" : "chat";
  let id = "";
  for (const name of MODEL_ID) {
    const value = clean[name];
    if (typeof value === "string" && value && !id) id = value;
    // Several names often hold the same id (model and model_name); a differing one stays a parameter.
    if (value === id || value === undefined) delete clean[name];
  }

  const params: GenerationParams = {};
  for (const [target, names] of Object.entries(ALIASES) as Array<[keyof typeof ALIASES, string[]]>) {
    const value = takeSame(clean, names);
    if (value === undefined) continue;
    if (target === "stopSequences") {
      const stops = typeof value === "string" ? [value] : value;
      if (Array.isArray(stops) && stops.every((s) => typeof s === "string")) params.stopSequences = stops;
      else clean.stop = value;
    } else if (typeof value === "number") params[target] = value;
    else clean[names[0]!] = value;
  }
  const tools = take(clean, ["tools"]);
  if (Array.isArray(tools) && tools.length > 0) params.tools = tools.map(toolDefinition);
  else if (tools !== undefined && !Array.isArray(tools)) clean.tools = tools;
  const toolChoice = take(clean, ["tool_choice", "toolChoice"]);
  if (toolChoice !== undefined) {
    const mapped = toToolChoice(toolChoice);
    if (mapped) params.toolChoice = mapped;
    else clean.tool_choice = toolChoice;
  }
  const format = take(clean, ["response_format", "responseFormat"]);
  if (format !== undefined) {
    const mapped = toResponseFormat(format);
    if (mapped) {
      params.responseFormat = mapped.format;
      // Settings Recall has no field for (OpenAI's `strict`) still enter the key.
      if (mapped.settings) clean.response_format_settings = mapped.settings;
    } else clean.response_format = format;
  }
  const reasoning: Record<string, unknown> = {};
  for (const name of REASONING) if (clean[name] !== undefined) reasoning[name] = take(clean, [name]);
  if (Object.keys(reasoning).length > 0) params.reasoning = reasoning;
  if (Object.keys(clean).length > 0) params.extra = clean;
  return { model: { provider, id: id || "default" }, kind, params, secrets };
}

function take(from: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) {
    if (from[name] !== undefined) {
      const value = from[name];
      delete from[name];
      return value;
    }
  }
  return undefined;
}

/** The first alias's value; other aliases go too when they agree, and stay (as extras) when not. */
function takeSame(from: Record<string, unknown>, names: string[]): unknown {
  let value: unknown;
  for (const name of names) {
    if (from[name] === undefined) continue;
    if (value === undefined) value = from[name];
    if (JSON.stringify(from[name]) === JSON.stringify(value)) delete from[name];
  }
  return value;
}

function stringOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** OpenAI (`{type:"function", function}`), Anthropic/Google (`{name, input_schema|parameters}`) or anything else. */
function toolDefinition(tool: unknown): ToolDefinition {
  const t = (typeof tool === "object" && tool !== null ? tool : { value: tool }) as Record<string, any>;
  const fn = t.type === "function" && typeof t.function === "object" ? t.function : t;
  const name = typeof fn.name === "string" ? fn.name : typeof t.type === "string" ? t.type : "tool";
  const definition: ToolDefinition = { name };
  if (typeof fn.description === "string") definition.description = fn.description;
  const schema = fn.parameters ?? fn.input_schema ?? fn.inputSchema;
  if (schema !== undefined) definition.inputSchema = schema;
  // Everything else about the tool (strict mode, provider tool settings) still enters the key.
  const { name: _n, description: _d, parameters: _p, input_schema: _i, inputSchema: _s, ...fnRest } = fn;
  const { function: _f, type, ...toolRest } = t;
  const args = {
    ...(fn === t ? {} : toolRest),
    ...fnRest,
    ...(type !== undefined && type !== "function" ? { type } : {}),
  };
  if (Object.keys(args).length > 0) definition.args = args;
  return definition;
}

function toToolChoice(value: unknown): ToolChoice | undefined {
  if (value === "auto" || value === "none" || value === "required") return value;
  if (value === "any") return "required";
  if (typeof value === "string" && value) return { type: "tool", toolName: value };
  if (typeof value === "object" && value !== null) {
    const v = value as Record<string, any>;
    const name = v.function?.name ?? (v.type === "tool" ? v.name : undefined);
    if (typeof name === "string" && Object.keys(v).length <= 2) return { type: "tool", toolName: name };
  }
  return undefined;
}

function toResponseFormat(
  value: unknown,
): { format: ResponseFormat; settings?: Record<string, unknown> } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, any>;
  if (v.type === "text" && Object.keys(v).length === 1) return { format: { type: "text" } };
  if (v.type === "json_object" && Object.keys(v).length === 1) return { format: { type: "json" } };
  if (
    v.type === "json_schema" &&
    typeof v.json_schema === "object" &&
    v.json_schema &&
    Object.keys(v).length === 2
  ) {
    const { name, schema, description, ...settings } = v.json_schema as Record<string, any>;
    const format: ResponseFormat = { type: "json", schema };
    if (typeof name === "string") format.name = name;
    if (typeof description === "string") format.description = description;
    return Object.keys(settings).length > 0 ? { format, settings } : { format };
  }
  return undefined;
}
