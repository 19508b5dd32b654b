/**
 * The argument a GraphQL validation error is about, in the form the gateway's own errors give
 * `extensions.field`: the argument's name, then `.field` into input objects and `[i]` into lists
 * (`idempotencyKey`, `input.name`, `input.nameservers[0].ipv4[1]`). Worked out from the error's AST
 * nodes, which graphql-js's validation rules set on every error: a wrong value (wrong literal
 * type, an unknown input field, a variable of the wrong type or not defined) has its value,
 * argument or variable node inside the argument; a duplicate argument or input field its name node.
 *
 * A missing required argument or input field has no node of its own: graphql-js gives the field
 * (or directive, or input object) that lacks it. The names it lacks are worked out from the schema
 * (required arguments or input fields not given), and graphql-js's message, which quotes the name
 * (`argument "idempotencyKey" of type`, `.name" of required type`), tells which of them an error
 * is about: the message picks among names the AST gave, it is never read for a name of its own.
 * An error about a field that lacks nothing (a missing selection, an unknown field) has no field.
 */
import { Kind, TypeInfo, getNamedType, isInputObjectType, isNonNullType, parse, visit, visitWithTypeInfo, type ASTNode, type GraphQLError, type GraphQLSchema, type Source } from 'graphql';

interface Index {
  /** Node (kind and span) inside an argument -> its path. */
  paths: Map<string, string>;
  /** Field, directive or input object value -> the path it is at ('' for a field or directive) and the required names it lacks. */
  lacking: Map<string, { at: string; names: string[]; object: boolean }>;
}

/** One index per document (all errors of a document share its Source), built on its first error. */
const indexes = new WeakMap<Source, Index | null>();

const spanOf = (node: ASTNode): string | null => (node.loc ? `${node.kind}:${node.loc.start}:${node.loc.end}` : null);

function build(source: Source, schema: GraphQLSchema | undefined): Index | null {
  let document;
  try {
    document = parse(source);
  } catch {
    return null;
  }
  const paths = new Map<string, string>();
  const lacking = new Map<string, { at: string; names: string[]; object: boolean }>();
  const stack: string[] = [];
  const record = (node: ASTNode, path: string) => {
    const s = spanOf(node);
    if (s) paths.set(s, path);
  };
  const inArgument = (node: ASTNode) => node.kind === Kind.ARGUMENT || stack.length > 0;
  const typeInfo = schema ? new TypeInfo(schema) : null;
  const visitor = {
    enter(node: ASTNode, key: string | number | undefined) {
      if (typeInfo && (node.kind === Kind.FIELD || node.kind === Kind.DIRECTIVE)) {
        const def = node.kind === Kind.FIELD ? typeInfo.getFieldDef() : typeInfo.getDirective();
        const given = new Set((node.arguments ?? []).map((a) => a.name.value));
        const names = (def?.args ?? []).filter((a) => isNonNullType(a.type) && a.defaultValue === undefined && !given.has(a.name)).map((a) => a.name);
        const s = spanOf(node);
        if (s && names.length > 0) lacking.set(s, { at: '', names, object: false });
      }
      if (!inArgument(node)) return;
      const top = stack.at(-1) ?? '';
      let path: string;
      if (node.kind === Kind.ARGUMENT) path = node.name.value;
      else if (node.kind === Kind.OBJECT_FIELD) path = `${top}.${node.name.value}`;
      else if (typeof key === 'number') path = `${top}[${key}]`; // an item of a list value
      else path = top;
      stack.push(path);
      record(node, path);
      if (node.kind === Kind.OBJECT && typeInfo) {
        const type = getNamedType(typeInfo.getInputType());
        if (isInputObjectType(type)) {
          const given = new Set(node.fields.map((f) => f.name.value));
          const names = Object.values(type.getFields())
            .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined && !given.has(f.name))
            .map((f) => f.name);
          const s = spanOf(node);
          if (s && names.length > 0) lacking.set(s, { at: path, names, object: true });
        }
      }
    },
    leave(node: ASTNode) {
      if (inArgument(node)) stack.pop();
    },
  };
  visit(document, typeInfo ? visitWithTypeInfo(typeInfo, visitor) : visitor);
  return { paths, lacking };
}

/**
 * `extensions.field` for a validation error of graphql-js (its nodes and source as the rule set
 * them), or undefined when the error is not about an argument. `schema` is needed for the
 * missing-required cases only. Each document is parsed and walked once, on its first error.
 */
export function argumentField(error: GraphQLError, schema?: GraphQLSchema): string | undefined {
  const source = error.source;
  if (!source || !error.nodes?.length) return undefined;
  let index = indexes.get(source);
  if (index === undefined) indexes.set(source, (index = build(source, schema)));
  if (!index) return undefined;
  for (const node of error.nodes) {
    const s = spanOf(node);
    if (!s) continue;
    const lack = index.lacking.get(s);
    if (lack) {
      const name = lack.names.find((n) => error.message.includes(lack.object ? `.${n}" of required type` : `argument "${n}" of type`));
      if (name) return lack.at ? `${lack.at}.${name}` : name;
    }
    const path = index.paths.get(s);
    if (path !== undefined) return path;
  }
  return undefined;
}
