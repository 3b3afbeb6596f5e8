import { XMLBuilder, XMLParser } from 'fast-xml-parser';

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

// Numbers stay strings (a MsgId is 64-bit); no entities beyond XML's own, so a crafted body
// cannot expand (fast-xml-parser never resolves external entities).
const parser = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
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
 * What XML 1.0 cannot carry, even in CDATA: control characters other than tab and newlines,
 * lone surrogates and the noncharacters U+FFFE/U+FFFF. A re-prompt echoes the user's raw
 * message, so a reply could hold them (red-team m19); they are dropped, as nothing can show
 * them.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

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
