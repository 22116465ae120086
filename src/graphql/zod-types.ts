import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLNullableType,
  type GraphQLOutputType,
} from "graphql";
import { z } from "zod";

/** A value sent as REST sends it (a notification's payload). */
export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value, exactly as the REST API sends it",
  serialize: (value) => value,
});

const description = (schema: z.ZodType): string | undefined => z.globalRegistry.get(schema)?.description;

/**
 * Turns the contract's zod object shapes into GraphQL object types, so GraphQL has no second copy of them: every
 * field of the shape becomes a field of the same name (ids `ID`, times `String` as REST writes them, enums by
 * their REST values, `nullable`/`optional` nullable, everything else non-null). Nested objects and enums must be
 * named first (`object` / `enum`), so each appears once in the schema under one name.
 */
export class ZodTypeMapper<Ctx> {
  private readonly objects = new Map<z.ZodType, GraphQLObjectType>();
  private readonly enums = new Map<z.ZodType, GraphQLEnumType>();

  enum(name: string, schema: z.ZodEnum): GraphQLEnumType {
    const values = Object.fromEntries(schema.options.map((v) => [String(v), { value: v }]));
    const type = new GraphQLEnumType({ name, description: description(schema), values });
    this.enums.set(schema, type);
    return type;
  }

  /** The object type of `schema` with its shape's fields, plus `extra` fields (relations resolved elsewhere). */
  object<S extends z.ZodObject, Src extends z.output<S> = z.output<S>>(
    name: string,
    schema: S,
    extra?: () => GraphQLFieldConfigMap<Src, Ctx>,
  ): GraphQLObjectType<Src, Ctx> {
    const type = new GraphQLObjectType<Src, Ctx>({
      name,
      description: description(schema),
      fields: () => {
        const fields: GraphQLFieldConfigMap<Src, Ctx> = {};
        for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
          fields[key] = { type: this.output(field, key), description: description(field) };
        }
        return { ...fields, ...extra?.() };
      },
    });
    this.objects.set(schema, type as GraphQLObjectType);
    return type;
  }

  /** The GraphQL type of one zod field (non-null unless the schema allows null or absence). */
  output(schema: z.ZodType, key = ""): GraphQLOutputType {
    if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional)
      return this.nullable(schema.unwrap() as z.ZodType, key);
    const inner = this.nullable(schema, key);
    return new GraphQLNonNull(inner);
  }

  private nullable(schema: z.ZodType, key: string): GraphQLNullableType & GraphQLOutputType {
    if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional)
      return this.nullable(schema.unwrap() as z.ZodType, key);
    const named = this.objects.get(schema) ?? this.enums.get(schema);
    if (named) return named;
    if (schema instanceof z.ZodGUID) return GraphQLID;
    // every string format (ISO times included) is a string, as REST sends it
    if (schema.def.type === "string") return GraphQLString;
    if (schema instanceof z.ZodNumber) return schema.isInt ? GraphQLInt : GraphQLFloat;
    if (schema instanceof z.ZodBoolean) return GraphQLBoolean;
    if (schema instanceof z.ZodRecord || schema instanceof z.ZodUnknown) return JSONScalar;
    if (schema instanceof z.ZodArray) return new GraphQLList(this.output(schema.element as z.ZodType, key));
    throw new Error(`graphql: no GraphQL type for field "${key}" (${schema.def.type}); name its object or enum first`);
  }
}
