import { AndFilter, NotFilter, OrFilter, parseFilter, SubstringFilter, type Filter } from 'ldapjs';

interface FilterNode {
  value?: unknown;
  /** Sub-filters of and/or/not (every ldapjs filter has the list, empty for leaves). */
  clauses?: FilterNode[];
}

const MARKER = 'conclavePlaceholder';

/**
 * Builds an ldapjs search filter from a configured template with `{name}` placeholders, putting each value
 * into the parsed tree as raw bytes. ldapjs sends the escapes of a filter string literally instead of
 * decoding them (`\28` reaches the server as three characters), so escaped values would never match; a value
 * placed in the tree is encoded in BER as is, where no escaping is needed (RFC 4511 §4.5.1.7). The filter's
 * `toString()` is the RFC 4515 escaped form. A placeholder must be the whole value of an assertion.
 */
export function buildSearchFilter(template: string, values: Record<string, string>): Filter {
  const filter = parseFilter(template.replace(/\{(\w+)\}/g, (_, name: string) => `${MARKER}${name}`));
  const visit = (node: FilterNode): void => {
    node.clauses?.forEach(visit);
    if (typeof node.value === 'string' && node.value.startsWith(MARKER)) {
      const name = node.value.slice(MARKER.length);
      if (!(name in values)) throw new Error(`no value for {${name}}`);
      node.value = values[name];
    }
  };
  visit(filter as unknown as FilterNode);
  if (filter.toString().includes(MARKER))
    throw new Error('a placeholder must be the whole value of an assertion, e.g. (uid={username})');
  return filter;
}

type AnyFilter = Filter & {
  clauses?: Filter[];
  filter?: Filter;
  attribute?: string;
  value?: unknown;
};

/**
 * A "contains" search derived from a configured template: the assertion holding `{placeholder}` is replaced by
 * `(|(a1=*text*)(a2=*text*)…)`, so the template's other conditions (object class, …) still apply. `text` is put
 * in the tree as raw bytes: `*`, `(` and `)` in it match themselves, never widen the search (RFC 4515 §3).
 */
export function buildContainsFilter(
  template: string,
  placeholder: string,
  attributes: readonly string[],
  text: string,
): Filter {
  const marker = `${MARKER}${placeholder}`;
  const contains = new OrFilter({
    filters: attributes.map((attribute) => new SubstringFilter({ attribute, initial: '', any: [text] })),
  });
  let replaced = 0;
  const rebuild = (node: AnyFilter): Filter => {
    if (node instanceof AndFilter) return new AndFilter({ filters: (node.clauses ?? []).map(rebuild) });
    if (node instanceof OrFilter) return new OrFilter({ filters: (node.clauses ?? []).map(rebuild) });
    if (node instanceof NotFilter) return new NotFilter({ filter: rebuild(node.filter as AnyFilter) });
    if (node.value === marker) {
      replaced++;
      return contains;
    }
    return node;
  };
  const filter = rebuild(parseFilter(template.replaceAll(`{${placeholder}}`, marker)) as AnyFilter);
  if (replaced === 0 || filter.toString().includes(MARKER))
    throw new Error(`the template must hold {${placeholder}} as the whole value of an assertion`);
  return filter;
}
