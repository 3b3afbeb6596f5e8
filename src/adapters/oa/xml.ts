import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { UNSHOWABLE } from '../../shared/showable.js';

/** The fields of a WeChat push that zhuihui reads; everything is text in WeChat's XML. */
export interface Inbound {
  ToUserName?: string;
  FromUserName?: string;
  CreateTime?: string;
  MsgType?: string;
  Content?: string;
  MsgId?: string;
  Event?: string;
  Encrypt?: string;
  /** In an encrypted reply (read by the tests' fake WeChat). */
  MsgSignature?: string;
  TimeStamp?: string;
  Nonce?: string;
}

/** XML's own five entities; nothing a body declares. */
const XML_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/**
 * Decodes XML's own entities and character references, and never one a DOCTYPE declares:
 * fast-xml-parser expands a body's internal entities by default (red-team m37: a FromUserName
 * came from one), and WeChat never sends a DOCTYPE, so its declarations are read and ignored
 * (`&name;` stays as written). External entities are never resolved by the parser either.
 */
const xmlOnly = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text: string) =>
    text.includes('&')
      ? text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, name: string) => {
          if (!name.startsWith('#')) return XML_ENTITIES[name] ?? whole;
          const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
        })
      : text,
};

// Numbers stay strings (a MsgId is 64-bit).
const parser = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  entityDecoder: xmlOnly,
});

const builder = new XMLBuilder({ cdataPropName: '__cdata', format: false });

/** Parses `<xml>…</xml>`; undefined when the body is not that. */
export function parseXml(body: string): Inbound | undefined {
  try {
    const parsed = parser.parse(body, true) as { xml?: unknown };
    const xml = parsed.xml;
    if (!xml || typeof xml !== 'object') return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(xml as Record<string, unknown>))
      if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    return out as Inbound;
  } catch {
    return undefined;
  }
}

/**
 * The Encrypt field of a safe-mode push, found by a scan rather than the parser: it is what
 * msg_signature signs, so an unsigned body is refused before anything parses it (red-team
 * m38: 24–35 ms of CPU for a 64 KB junk body). Base64 only, bare or in CDATA; anything else
 * (an Encrypt that is not one, markup around it) is undefined.
 */
export function encryptField(body: string): string | undefined {
  const m =
    /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*<\/Encrypt>/.exec(body);
  return m?.[1] ?? m?.[2];
}

/**
 * What XML 1.0 cannot carry, even in CDATA (src/shared/showable.ts): the engine drops it from
 * what users write, and any other text (a flow's, an operator's) is cleaned here too.
 */
const NOT_XML = UNSHOWABLE;

/** `<xml>` with each value in CDATA, except numbers WeChat sends bare (CreateTime, TimeStamp). */
export function buildXml(fields: Record<string, string | number>): string {
  const xml: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    xml[k] =
      typeof v === 'number'
        ? v
        : { __cdata: v.replace(NOT_XML, '').replaceAll(']]>', ']]]]><![CDATA[>') };
  return builder.build({ xml }) as string;
}
