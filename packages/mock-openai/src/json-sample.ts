/**
 * Builds a value that satisfies a JSON schema (the subset OpenAI structured outputs and tool
 * parameters use: objects, arrays, enums, const, anyOf/oneOf, $ref to $defs, nullable types).
 * Strings are filled by `fillString(propertyName)`.
 */
export function sampleFromSchema(schema: unknown, fillString: (name: string) => string): unknown {
  const root = isObject(schema) ? schema : {};
  return sample(root, root, "value", fillString, 0);
}

function sample(
  schema: Record<string, any>,
  root: Record<string, any>,
  name: string,
  fillString: (name: string) => string,
  depth: number,
): unknown {
  if (depth > 12) return null;
  if (typeof schema.$ref === "string") {
    const target = resolveRef(root, schema.$ref);
    return target ? sample(target, root, name, fillString, depth + 1) : null;
  }
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("default" in schema && schema.default !== undefined) return schema.default;
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0) {
    const pick = variants.find((v: any) => isObject(v) && v.type !== "null") ?? variants[0];
    return sample(pick, root, name, fillString, depth + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    return sample(Object.assign({}, ...schema.allOf), root, name, fillString, depth + 1);
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t: string) => t !== "null") ?? "null";
  if (!type) type = isObject(schema.properties) ? "object" : schema.items ? "array" : "string";
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = isObject(schema.properties) ? schema.properties : {};
      for (const [key, sub] of Object.entries(props)) {
        out[key] = sample(isObject(sub) ? sub : {}, root, key, fillString, depth + 1);
      }
      return out;
    }
    case "array": {
      const items = isObject(schema.items) ? schema.items : {};
      const n = Math.max(1, Number(schema.minItems) || 0);
      return Array.from({ length: n }, () => sample(items, root, name, fillString, depth + 1));
    }
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
      const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
      let n = type === "integer" ? 3 : 3.5;
      if (min !== undefined && n < min) n = min;
      if (max !== undefined && n > max) n = max;
      return n;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return sampleString(schema, name, fillString);
  }
}

function sampleString(
  schema: Record<string, any>,
  name: string,
  fillString: (name: string) => string,
): string {
  switch (schema.format) {
    case "date-time":
      return "2024-01-15T12:00:00Z";
    case "date":
      return "2024-01-15";
    case "time":
      return "12:00:00";
    case "email":
      return "user@example.com";
    case "uri":
    case "url":
      return "https://example.com/";
    case "uuid":
      return "00000000-0000-4000-8000-000000000000";
  }
  let s = fillString(name);
  if (typeof schema.maxLength === "number") s = s.slice(0, schema.maxLength);
  if (typeof schema.minLength === "number" && s.length < schema.minLength) {
    s = s.padEnd(schema.minLength, ".");
  }
  return s;
}

function resolveRef(root: Record<string, any>, ref: string): Record<string, any> | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: any = root;
  for (const part of ref.slice(2).split("/")) {
    node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return isObject(node) ? node : undefined;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
