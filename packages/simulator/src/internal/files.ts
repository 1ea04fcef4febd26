import { createHmac, timingSafeEqual } from "node:crypto"
import * as Dates from "./dates.js"

/**
 * The files the simulator serves in place of S3: pre-signed report and PDF links (signed
 * with the store's key, valid for `linkSeconds` by the Clock), and the bytes behind them.
 */

/**
 * How long a report or PDF link is valid: `X-Amz-Expires=3600`, as every documented link.
 *
 * @internal
 */
export const linkSeconds = 3600

const signature = (key: string, path: string, date: string, expires: string) =>
  createHmac("sha256", key).update(`${path}\n${date}\n${expires}`).digest("hex")

/**
 * A pre-signed link to `path` on `origin`, signed at `now`.
 *
 * @internal
 */
export const sign = (key: string, origin: string, path: string, now: number): string => {
  const date = Dates.amzDate(now)
  const expires = String(linkSeconds)
  const day = date.slice(0, 8)
  return `${origin}${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
    `&X-Amz-Credential=SIMULATOR%2F${day}%2Fap-south-1%2Fs3%2Faws4_request` +
    `&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host` +
    `&X-Amz-Signature=${signature(key, path, date, expires)}`
}

const parseAmzDate = (date: string): number | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as unknown as [
    number,
    number,
    number,
    number,
    number,
    number,
    number
  ]
  return Date.UTC(y, mo - 1, d, h, mi, s)
}

/**
 * Why a link is refused, or `undefined` when it is good at `now`: S3's codes.
 *
 * @internal
 */
export const check = (
  key: string,
  path: string,
  query: URLSearchParams,
  now: number
): { readonly code: "AccessDenied" | "SignatureDoesNotMatch"; readonly message: string } | undefined => {
  const date = query.get("X-Amz-Date") ?? ""
  const expires = query.get("X-Amz-Expires") ?? ""
  const given = query.get("X-Amz-Signature") ?? ""
  const expected = signature(key, path, date, expires)
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return {
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match the signature you provided."
    }
  }
  const signedAt = parseAmzDate(date)
  if (signedAt === undefined || now >= signedAt + Number(expires) * 1000) {
    return { code: "AccessDenied", message: "Request has expired" }
  }
  return undefined
}

/**
 * An S3-style XML error body.
 *
 * @internal
 */
export const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const encoder = new TextEncoder()

/**
 * A one-page PDF saying `text` (a stand-in for a statement the simulator has no bytes of).
 *
 * @internal
 */
export const stubPdf = (text: string): Uint8Array => {
  const safe = text.replace(/[()\\]/g, "").slice(0, 200)
  const content = `BT /F1 12 Tf 72 720 Td (${safe}) Tj ET`
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " +
    "/Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
  ]
  let out = "%PDF-1.4\n"
  const offsets: Array<number> = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return encoder.encode(out)
}

const crcTable = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A zip archive of `files`, stored without compression. */
const zip = (files: ReadonlyArray<readonly [string, string]>): Uint8Array => {
  const parts: Array<Buffer> = []
  const central: Array<Buffer> = []
  let offset = 0
  for (const [name, text] of files) {
    const nameBytes = Buffer.from(name)
    const data = Buffer.from(text)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    parts.push(local, nameBytes, data)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt32LE(crc, 16)
    entry.writeUInt32LE(data.length, 20)
    entry.writeUInt32LE(data.length, 24)
    entry.writeUInt16LE(nameBytes.length, 28)
    entry.writeUInt32LE(offset, 42)
    central.push(entry, nameBytes)
    offset += 30 + nameBytes.length + data.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...parts, directory, end]))
}

const ns = "http://schemas.openxmlformats.org"

const column = (i: number) => String.fromCharCode(65 + i)

/**
 * A one-sheet Excel workbook of `rows` (text cells).
 *
 * @internal
 */
export const xlsx = (rows: ReadonlyArray<ReadonlyArray<string>>): Uint8Array => {
  const sheetRows = rows.map((row, r) =>
    `<row r="${r + 1}">` +
    row.map((cell, c) => `<c r="${column(c)}${r + 1}" t="inlineStr"><is><t>${escapeXml(cell)}</t></is></c>`).join("") +
    "</row>"
  ).join("")
  const head = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
  return zip([
    [
      "[Content_Types].xml",
      `${head}<Types xmlns="${ns}/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
      `<Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ` +
      `ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      `<Override PartName="/xl/worksheets/sheet1.xml" ` +
      `ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
    ],
    [
      "_rels/.rels",
      `${head}<Relationships xmlns="${ns}/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" ` +
      `Target="xl/workbook.xml"/></Relationships>`
    ],
    [
      "xl/workbook.xml",
      `${head}<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships">` +
      `<sheets><sheet name="Summary" sheetId="1" r:id="rId1"/></sheets></workbook>`
    ],
    [
      "xl/_rels/workbook.xml.rels",
      `${head}<Relationships xmlns="${ns}/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" ` +
      `Target="worksheets/sheet1.xml"/></Relationships>`
    ],
    [
      "xl/worksheets/sheet1.xml",
      `${head}<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`
    ]
  ])
}

/**
 * An XML report of `fields`.
 *
 * @internal
 */
export const xmlReport = (fields: ReadonlyArray<readonly [string, string]>): Uint8Array =>
  encoder.encode(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<report>" +
      fields.map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join("") +
      "</report>\n"
  )

/**
 * A 1×1 transparent PNG: every bank's logo.
 *
 * @internal
 */
export const logoPng = new Uint8Array(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64"
  )
)

/** The content types of the files served. @internal */
export const contentTypes = {
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  xml: "application/xml",
  pdf: "application/pdf",
  png: "image/png"
} as const
