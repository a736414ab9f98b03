(require) => {
  'use strict';
  const { TextEncoder, TextDecoder } = require('quill:text-coding');
  const utf8Encoder = new TextEncoder();
  const utf8Decoder = new TextDecoder();
  /* include node-errors.js */
  const hexDigits = '0123456789ABCDEF';

  // ---- Percent-encoding (WHATWG URL §1.3) ----

  const inC0 = (c) => c < 0x20 || c > 0x7e;
  const inFragment = (c) => inC0(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
  const inQuery = (c) => inC0(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
  const inSpecialQuery = (c) => inQuery(c) || c === 0x27;
  const inPath = (c) => inQuery(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d;
  const inUserinfo = (c) =>
    inPath(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 ||
    (c >= 0x5b && c <= 0x5d) || c === 0x7c;

  const percentByte = (byte) => `%${hexDigits[byte >> 4]}${hexDigits[byte & 15]}`;

  // The UTF-8 bytes of the non-ASCII code point at `index` (a lone surrogate is U+FFFD, as TextEncoder has
  // it), each through `encodeByte`, concatenated. Kept off TextEncoder: URLs are parsed per event.
  const encodeCodePointAt = (text, index, encodeByte) => {
    let code = text.codePointAt(index);
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x800) {
      return encodeByte(0xc0 | (code >> 6)) + encodeByte(0x80 | (code & 63));
    }
    if (code < 0x10000) {
      return encodeByte(0xe0 | (code >> 12)) + encodeByte(0x80 | ((code >> 6) & 63)) + encodeByte(0x80 | (code & 63));
    }
    return (
      encodeByte(0xf0 | (code >> 18)) + encodeByte(0x80 | ((code >> 12) & 63)) +
      encodeByte(0x80 | ((code >> 6) & 63)) + encodeByte(0x80 | (code & 63))
    );
  };
  // How many UTF-16 units the code point at `index` takes.
  const codePointLength = (text, index) => (text.codePointAt(index) > 0xffff ? 2 : 1);

  const percentEncode = (text, inSet) => {
    let out = '';
    let start = 0;
    for (let i = 0; i < text.length; ) {
      const code = text.charCodeAt(i);
      if (code < 0x80 && !inSet(code)) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      // Every byte of a non-ASCII code point is at least 0x80, which each set encodes.
      out += code < 0x80 ? percentByte(code) : encodeCodePointAt(text, i, percentByte);
      i += code < 0x80 ? 1 : codePointLength(text, i);
      start = i;
    }
    return start === 0 ? text : out + text.slice(start);
  };

  const isHex = (code) =>
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

  const percentDecodeBytes = (text) => {
    const bytes = utf8Encoder.encode(text);
    const out = new Uint8Array(bytes.length);
    let length = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x25 && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
        out[length++] = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
        i += 2;
      } else {
        out[length++] = bytes[i];
      }
    }
    return out.subarray(0, length);
  };
  // indexOf, not includes: JavaScriptCore runs includes several times slower, and these run per parameter.
  const percentDecode = (text) => (text.indexOf('%') !== -1 ? utf8Decoder.decode(percentDecodeBytes(text)) : text);

  // ---- Punycode (RFC 3492) and IDNA ----

  const punycodeDigit = (d) => String.fromCharCode(d < 26 ? 97 + d : 22 + d);
  const adapt = (delta, count, first) => {
    delta = first ? Math.floor(delta / 700) : delta >> 1;
    delta += Math.floor(delta / count);
    let k = 0;
    for (; delta > 455; k += 36) delta = Math.floor(delta / 35);
    return k + Math.floor((36 * delta) / (delta + 38));
  };
  const threshold = (k, bias) => (k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias);

  const punycodeEncode = (label) => {
    const codes = Array.from(label, (c) => c.codePointAt(0));
    let out = codes.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join('');
    const basic = out.length;
    if (basic > 0) out += '-';
    let n = 128;
    let delta = 0;
    let bias = 72;
    for (let handled = basic; handled < codes.length; n++, delta++) {
      const next = Math.min(...codes.filter((c) => c >= n));
      delta += (next - n) * (handled + 1);
      n = next;
      for (const c of codes) {
        if (c < n) delta++;
        if (c !== n) continue;
        let q = delta;
        for (let k = 36; ; k += 36) {
          const t = threshold(k, bias);
          if (q < t) break;
          out += punycodeDigit(t + ((q - t) % (36 - t)));
          q = Math.floor((q - t) / (36 - t));
        }
        out += punycodeDigit(q);
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
    }
    return out;
  };

  // Returns null for input that is not valid Punycode.
  const punycodeDecode = (input) => {
    const end = input.lastIndexOf('-');
    const codes = [];
    for (let i = 0; i < Math.max(end, 0); i++) {
      if (input.charCodeAt(i) >= 0x80) return null;
      codes.push(input.charCodeAt(i));
    }
    let n = 128;
    let bias = 72;
    let i = 0;
    for (let position = end > 0 ? end + 1 : 0; position < input.length;) {
      const oldI = i;
      for (let w = 1, k = 36; ; k += 36) {
        if (position >= input.length) return null;
        const c = input.charCodeAt(position++);
        const digit =
          c >= 0x30 && c <= 0x39 ? c - 22 : c >= 0x41 && c <= 0x5a ? c - 0x41 : c >= 0x61 && c <= 0x7a ? c - 0x61 : 36;
        if (digit >= 36) return null;
        i += digit * w;
        const t = threshold(k, bias);
        if (digit < t) break;
        w *= 36 - t;
        if (i > 0x10ffff * 36) return null;
      }
      bias = adapt(i - oldI, codes.length + 1, oldI === 0);
      n += Math.floor(i / (codes.length + 1));
      i %= codes.length + 1;
      if (n > 0x10ffff) return null;
      codes.splice(i++, 0, n);
    }
    return String.fromCodePoint(...codes);
  };

  // UTS #46 processing as the URL standard asks for it (non-transitional, CheckBidi and
  // CheckJoiners, no STD3 rules, no DNS length check). Its mapping table is approximated by NFKC
  // and lowercasing, its bidi and joiner rules by their common cases.
  const mapDomain = (domain) =>
    domain
      .replace(/[\u00ad\u034f\u180b-\u180d\u200b\u2060\ufe00-\ufe0f\ufeff]/g, '')
      .replace(/\u1e9e/g, 'ss')
      .normalize('NFKC')
      .toLowerCase()
      .normalize('NFKC')
      .replace(/[\u3002\uff0e\uff61]/g, '.');

  const rightToLeft = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
  const validLabel = (label) =>
    !/[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufffd]/u.test(label) &&
    !/^\p{M}/u.test(label) &&
    !/(^|[^\p{Mn}])[\u200c\u200d]/u.test(label) &&
    label === label.normalize('NFC') &&
    !(rightToLeft.test(label[0]) && Array.from(label).some((c) => /\p{L}/u.test(c) && !rightToLeft.test(c)));

  const toASCII = (domain) => {
    const out = [];
    for (const label of mapDomain(domain).split('.')) {
      if (label.startsWith('xn--')) {
        const decoded = punycodeDecode(label.slice(4));
        if (decoded === null || decoded === '' || mapDomain(decoded) !== decoded || !validLabel(decoded)) return null;
        out.push(label);
      } else if (/[^\x00-\x7f]/.test(label)) {
        if (!validLabel(label)) return null;
        out.push(`xn--${punycodeEncode(label)}`);
      } else {
        out.push(label);
      }
    }
    return out.join('.');
  };

  const toUnicode = (domain) =>
    domain
      .split('.')
      .map((label) => {
        if (!/^xn--/i.test(label)) return label;
        const decoded = punycodeDecode(label.slice(4).toLowerCase());
        return decoded === null ? label : decoded;
      })
      .join('.');

  // ---- Hosts (WHATWG URL §3) ----

  const forbiddenHost = /[\0\t\n\r #/:<>?@[\\\]^|]/;
  const forbiddenDomain = /[\0-\x20#%/:<>?@[\\\]^|\x7f]/;

  const parseIPv4Number = (text) => {
    if (text === '') return null;
    let radix = 10;
    if (/^0x/i.test(text)) {
      text = text.slice(2);
      radix = 16;
    } else if (text.length > 1 && text[0] === '0') {
      text = text.slice(1);
      radix = 8;
    }
    if (text === '') return 0;
    const valid = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9a-f]+$/i : /^[0-7]+$/;
    return valid.test(text) ? parseInt(text, radix) : null;
  };

  const endsInANumber = (text) => {
    const parts = text.split('.');
    if (parts[parts.length - 1] === '') {
      if (parts.length === 1) return false;
      parts.pop();
    }
    const last = parts[parts.length - 1];
    return /^[0-9]+$/.test(last) || parseIPv4Number(last) !== null;
  };

  const parseIPv4 = (text) => {
    const parts = text.split('.');
    if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const numbers = parts.map(parseIPv4Number);
    if (numbers.includes(null)) return null;
    const last = numbers.pop();
    if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
    const address = numbers.reduce((sum, n, index) => sum + n * 256 ** (3 - index), last);
    return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
  };

  const parseIPv6 = (text) => {
    const address = [0, 0, 0, 0, 0, 0, 0, 0];
    let pieceIndex = 0;
    let compress = null;
    let pointer = 0;
    const at = (index) => text.charCodeAt(index);
    const isDecimal = (code) => code >= 0x30 && code <= 0x39;
    if (at(pointer) === 0x3a) {
      if (at(pointer + 1) !== 0x3a) return null;
      pointer += 2;
      compress = ++pieceIndex;
    }
    while (pointer < text.length) {
      if (pieceIndex === 8) return null;
      if (at(pointer) === 0x3a) {
        if (compress !== null) return null;
        pointer++;
        compress = ++pieceIndex;
        continue;
      }
      let value = 0;
      let length = 0;
      while (length < 4 && isHex(at(pointer))) {
        value = value * 16 + parseInt(text[pointer], 16);
        pointer++;
        length++;
      }
      if (at(pointer) === 0x2e) {
        if (length === 0) return null;
        pointer -= length;
        if (pieceIndex > 6) return null;
        let numbersSeen = 0;
        while (pointer < text.length) {
          let ipv4Piece = null;
          if (numbersSeen > 0) {
            if (at(pointer) === 0x2e && numbersSeen < 4) pointer++;
            else return null;
          }
          if (!isDecimal(at(pointer))) return null;
          while (isDecimal(at(pointer))) {
            const number = at(pointer) - 0x30;
            if (ipv4Piece === null) ipv4Piece = number;
            else if (ipv4Piece === 0) return null;
            else ipv4Piece = ipv4Piece * 10 + number;
            if (ipv4Piece > 255) return null;
            pointer++;
          }
          address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece;
          numbersSeen++;
          if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
        }
        if (numbersSeen !== 4) return null;
        break;
      } else if (at(pointer) === 0x3a) {
        pointer++;
        if (pointer >= text.length) return null;
      } else if (pointer < text.length) {
        return null;
      }
      address[pieceIndex++] = value;
    }
    if (compress !== null) {
      let swaps = pieceIndex - compress;
      pieceIndex = 7;
      while (pieceIndex !== 0 && swaps > 0) {
        [address[pieceIndex], address[compress + swaps - 1]] = [address[compress + swaps - 1], address[pieceIndex]];
        pieceIndex--;
        swaps--;
      }
    } else if (pieceIndex !== 8) {
      return null;
    }
    return address;
  };

  const serializeIPv6 = (address) => {
    // The first longest run of two or more zero pieces is compressed to "::".
    let compress = -1;
    let longest = 1;
    for (let i = 0; i < 8; ) {
      let end = i;
      while (end < 8 && address[end] === 0) end++;
      if (end - i > longest) {
        longest = end - i;
        compress = i;
      }
      i = end === i ? i + 1 : end;
    }
    let out = '';
    for (let i = 0; i < 8; i++) {
      if (i === compress) {
        out += i === 0 ? '::' : ':';
        i += longest - 1;
        continue;
      }
      out += address[i].toString(16) + (i < 7 ? ':' : '');
    }
    return `[${out}]`;
  };

  const parseHost = (input, isOpaque) => {
    if (input.startsWith('[')) {
      if (!input.endsWith(']')) return null;
      const address = parseIPv6(input.slice(1, -1));
      return address === null ? null : serializeIPv6(address);
    }
    if (isOpaque) return forbiddenHost.test(input) ? null : percentEncode(input, inC0);
    const domain = percentDecode(input);
    const plainASCII = /^[\x00-\x7f]*$/.test(domain) && !/(^|\.)xn--/i.test(domain);
    const ascii = plainASCII ? domain.toLowerCase() : toASCII(domain);
    if (ascii === null || ascii === '' || forbiddenDomain.test(ascii)) return null;
    return endsInANumber(ascii) ? parseIPv4(ascii) : ascii;
  };

  // ---- The URL parser (WHATWG URL §4.4), with state overrides for the setters ----

  const defaultPorts = new Map([['ftp', 21], ['file', null], ['http', 80], ['https', 443], ['ws', 80], ['wss', 443]]);
  const isSpecialScheme = (scheme) => defaultPorts.has(scheme);
  const defaultPort = (scheme) => defaultPorts.get(scheme) ?? null;
  const hasOpaquePath = (url) => typeof url.path === 'string';
  const includesCredentials = (url) => url.username !== '' || url.password !== '';
  const cannotHaveCredentialsOrPort = (url) => url.host === null || url.host === '' || url.scheme === 'file';

  const isAlpha = (c) => c !== undefined && c.length === 1 && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
  const isDigit = (c) => c !== undefined && c.length === 1 && c >= '0' && c <= '9';
  const isWindowsDriveLetter = (text) =>
    text.length === 2 && isAlpha(text[0]) && (text[1] === ':' || text[1] === '|');
  const isNormalizedWindowsDriveLetter = (text) => isWindowsDriveLetter(text) && text[1] === ':';
  const startsWithWindowsDriveLetter = (points, pointer) =>
    points.length - pointer >= 2 &&
    isWindowsDriveLetter(points[pointer] + points[pointer + 1]) &&
    (points.length - pointer === 2 || '/\\?#'.includes(points[pointer + 2]));
  const isSingleDot = (segment) => segment === '.' || segment.toLowerCase() === '%2e';
  const isDoubleDot = (segment) => ['..', '.%2e', '%2e.', '%2e%2e'].includes(segment.toLowerCase());

  const shortenPath = (url) => {
    if (url.scheme === 'file' && url.path.length === 1 && isNormalizedWindowsDriveLetter(url.path[0])) return;
    url.path.pop();
  };

  // The URLs events carry, `https://host[:port]/path?query#fragment` in printable ASCII without credentials,
  // brackets, percent signs in the host or dot segments, parsed in one match to what the state machine below
  // makes of them; anything else is undefined and goes through the state machine.
  const commonURL =
    /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#@:[\]%]+)(?::([0-9]*))?(?:\/([^?#]*))?(?:\?([^#]*))?(?:#(.*))?$/;
  const commonSchemes = new Set(['http', 'https', 'ws', 'wss', 'ftp']);
  const dotSegment = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
  // What the path, special query and fragment sets take from printable ASCII.
  const pathEncoded = /["#<>?`{}]/g;
  const specialQueryEncoded = /["#<>']/g;
  const fragmentEncoded = /["<>`]/g;
  const percentCharacter = (character) => percentByte(character.charCodeAt(0));
  const parseCommonURL = (input) => {
    if (!/^[\x21-\x5b\x5d-\x7e]*$/.test(input)) return undefined;
    const match = commonURL.exec(input);
    if (match === null) return undefined;
    const scheme = match[1].toLowerCase();
    if (!commonSchemes.has(scheme)) return undefined;
    const path = match[4] ?? '';
    if (dotSegment.test(path)) return undefined;
    const host = parseHost(match[2], false);
    if (host === null) return undefined;
    let port = null;
    if (match[3] !== undefined && match[3] !== '') {
      port = parseInt(match[3], 10);
      if (port > 65535) return undefined;
      if (port === defaultPort(scheme)) port = null;
    }
    return {
      scheme, username: '', password: '', host, port,
      path: path.replace(pathEncoded, percentCharacter).split('/'),
      query: match[5] === undefined ? null : match[5].replace(specialQueryEncoded, percentCharacter),
      fragment: match[6] === undefined ? null : match[6].replace(fragmentEncoded, percentCharacter),
    };
  };

  const S = {
    schemeStart: 1, scheme: 2, noScheme: 3, specialRelativeOrAuthority: 4, pathOrAuthority: 5, relative: 6,
    relativeSlash: 7, specialAuthoritySlashes: 8, specialAuthorityIgnoreSlashes: 9, authority: 10, host: 11,
    hostname: 12, port: 13, file: 14, fileSlash: 15, fileHost: 16, pathStart: 17, path: 18, opaquePath: 19,
    query: 20, fragment: 21,
  };
  const FAILURE = null;

  // Returns the URL record, or null when the input is not a valid URL. With a state override it
  // changes `url` in place, and its result only says whether that failed.
  const basicParse = (input, base, url, stateOverride) => {
    if (!url) {
      const common = parseCommonURL(input);
      if (common !== undefined) return common;
      url = { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null };
      input = input.replace(/^[\0-\x20]+|[\0-\x20]+$/g, '');
    }
    input = input.replace(/[\t\n\r]/g, '');
    // Indexed by code point; without surrogates the string's own indices are the code points.
    const points = /[\ud800-\udfff]/.test(input) ? Array.from(input) : input;
    let state = stateOverride || S.schemeStart;
    let buffer = '';
    let atSignSeen = false;
    let insideBrackets = false;
    let passwordTokenSeen = false;

    for (let pointer = 0; pointer <= points.length; pointer++) {
      const c = points[pointer];
      const special = isSpecialScheme(url.scheme);
      switch (state) {
        case S.schemeStart:
          if (isAlpha(c)) {
            buffer += c.toLowerCase();
            state = S.scheme;
          } else if (!stateOverride) {
            state = S.noScheme;
            pointer--;
          } else {
            return FAILURE;
          }
          break;

        case S.scheme:
          if (isAlpha(c) || isDigit(c) || c === '+' || c === '-' || c === '.') {
            buffer += c.toLowerCase();
          } else if (c === ':') {
            if (stateOverride) {
              if (isSpecialScheme(url.scheme) !== isSpecialScheme(buffer)) return url;
              if ((includesCredentials(url) || url.port !== null) && buffer === 'file') return url;
              if (url.scheme === 'file' && url.host === '') return url;
            }
            url.scheme = buffer;
            if (stateOverride) {
              if (url.port === defaultPort(url.scheme)) url.port = null;
              return url;
            }
            buffer = '';
            if (url.scheme === 'file') {
              state = S.file;
            } else if (isSpecialScheme(url.scheme) && base && base.scheme === url.scheme) {
              state = S.specialRelativeOrAuthority;
            } else if (isSpecialScheme(url.scheme)) {
              state = S.specialAuthoritySlashes;
            } else if (points[pointer + 1] === '/') {
              state = S.pathOrAuthority;
              pointer++;
            } else {
              url.path = '';
              state = S.opaquePath;
            }
          } else if (!stateOverride) {
            buffer = '';
            state = S.noScheme;
            pointer = -1;
          } else {
            return FAILURE;
          }
          break;

        case S.noScheme:
          if (!base || (hasOpaquePath(base) && c !== '#')) return FAILURE;
          if (hasOpaquePath(base) && c === '#') {
            url.scheme = base.scheme;
            url.path = base.path;
            url.query = base.query;
            url.fragment = '';
            state = S.fragment;
          } else {
            state = base.scheme !== 'file' ? S.relative : S.file;
            pointer--;
          }
          break;

        case S.specialRelativeOrAuthority:
          if (c === '/' && points[pointer + 1] === '/') {
            state = S.specialAuthorityIgnoreSlashes;
            pointer++;
          } else {
            state = S.relative;
            pointer--;
          }
          break;

        case S.pathOrAuthority:
          if (c === '/') {
            state = S.authority;
          } else {
            state = S.path;
            pointer--;
          }
          break;

        case S.relative:
          url.scheme = base.scheme;
          if (c === '/' || (isSpecialScheme(url.scheme) && c === '\\')) {
            state = S.relativeSlash;
          } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === '?') {
              url.query = '';
              state = S.query;
            } else if (c === '#') {
              url.fragment = '';
              state = S.fragment;
            } else if (c !== undefined) {
              url.query = null;
              shortenPath(url);
              state = S.path;
              pointer--;
            }
          }
          break;

        case S.relativeSlash:
          if (special && (c === '/' || c === '\\')) {
            state = S.specialAuthorityIgnoreSlashes;
          } else if (c === '/') {
            state = S.authority;
          } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            state = S.path;
            pointer--;
          }
          break;

        case S.specialAuthoritySlashes:
          state = S.specialAuthorityIgnoreSlashes;
          if (c === '/' && points[pointer + 1] === '/') pointer++;
          else pointer--;
          break;

        case S.specialAuthorityIgnoreSlashes:
          if (c !== '/' && c !== '\\') {
            state = S.authority;
            pointer--;
          }
          break;

        case S.authority:
          if (c === '@') {
            if (atSignSeen) buffer = `%40${buffer}`;
            atSignSeen = true;
            for (const point of buffer) {
              if (point === ':' && !passwordTokenSeen) {
                passwordTokenSeen = true;
                continue;
              }
              const encoded = percentEncode(point, inUserinfo);
              if (passwordTokenSeen) url.password += encoded;
              else url.username += encoded;
            }
            buffer = '';
          } else if (c === undefined || c === '/' || c === '?' || c === '#' || (special && c === '\\')) {
            if (atSignSeen && buffer === '') return FAILURE;
            pointer -= Array.from(buffer).length + 1;
            buffer = '';
            state = S.host;
          } else {
            buffer += c;
          }
          break;

        case S.host:
        case S.hostname:
          if (stateOverride && url.scheme === 'file') {
            pointer--;
            state = S.fileHost;
          } else if (c === ':' && !insideBrackets) {
            if (buffer === '' || stateOverride === S.hostname) return FAILURE;
            const host = parseHost(buffer, !special);
            if (host === null) return FAILURE;
            url.host = host;
            buffer = '';
            state = S.port;
          } else if (c === undefined || c === '/' || c === '?' || c === '#' || (special && c === '\\')) {
            pointer--;
            if (special && buffer === '') return FAILURE;
            if (stateOverride && buffer === '' && (includesCredentials(url) || url.port !== null)) return FAILURE;
            const host = parseHost(buffer, !special);
            if (host === null) return FAILURE;
            url.host = host;
            buffer = '';
            state = S.pathStart;
            if (stateOverride) return url;
          } else {
            if (c === '[') insideBrackets = true;
            if (c === ']') insideBrackets = false;
            buffer += c;
          }
          break;

        case S.port:
          if (isDigit(c)) {
            buffer += c;
          } else if (
            c === undefined || c === '/' || c === '?' || c === '#' || (special && c === '\\') || stateOverride
          ) {
            if (buffer !== '') {
              const port = parseInt(buffer, 10);
              if (port > 65535) return FAILURE;
              url.port = port === defaultPort(url.scheme) ? null : port;
              buffer = '';
            }
            if (stateOverride) return url;
            state = S.pathStart;
            pointer--;
          } else {
            return FAILURE;
          }
          break;

        case S.file:
          url.scheme = 'file';
          url.host = '';
          if (c === '/' || c === '\\') {
            state = S.fileSlash;
          } else if (base && base.scheme === 'file') {
            url.host = base.host;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === '?') {
              url.query = '';
              state = S.query;
            } else if (c === '#') {
              url.fragment = '';
              state = S.fragment;
            } else if (c !== undefined) {
              url.query = null;
              if (!startsWithWindowsDriveLetter(points, pointer)) shortenPath(url);
              else url.path = [];
              state = S.path;
              pointer--;
            }
          } else {
            state = S.path;
            pointer--;
          }
          break;

        case S.fileSlash:
          if (c === '/' || c === '\\') {
            state = S.fileHost;
          } else {
            if (base && base.scheme === 'file') {
              url.host = base.host;
              const baseDrive = base.path[0] || '';
              if (!startsWithWindowsDriveLetter(points, pointer) && isNormalizedWindowsDriveLetter(baseDrive)) {
                url.path.push(baseDrive);
              }
            }
            state = S.path;
            pointer--;
          }
          break;

        case S.fileHost:
          if (c === undefined || c === '/' || c === '\\' || c === '?' || c === '#') {
            pointer--;
            if (!stateOverride && isWindowsDriveLetter(buffer)) {
              state = S.path;
            } else if (buffer === '') {
              url.host = '';
              if (stateOverride) return url;
              state = S.pathStart;
            } else {
              let host = parseHost(buffer, false);
              if (host === null) return FAILURE;
              if (host === 'localhost') host = '';
              url.host = host;
              if (stateOverride) return url;
              buffer = '';
              state = S.pathStart;
            }
          } else {
            buffer += c;
          }
          break;

        case S.pathStart:
          if (special) {
            state = S.path;
            if (c !== '/' && c !== '\\') pointer--;
          } else if (!stateOverride && c === '?') {
            url.query = '';
            state = S.query;
          } else if (!stateOverride && c === '#') {
            url.fragment = '';
            state = S.fragment;
          } else if (c !== undefined) {
            state = S.path;
            if (c !== '/') pointer--;
          } else if (stateOverride && url.host === null) {
            url.path.push('');
          }
          break;

        case S.path: {
          const slash = c === '/' || (special && c === '\\');
          if (c === undefined || slash || (!stateOverride && (c === '?' || c === '#'))) {
            if (isDoubleDot(buffer)) {
              // Node (Ada) leaves a non-special URL's path empty when .. finds nothing to remove.
              const removes = url.path.length > 0;
              shortenPath(url);
              if (!slash && (special || removes)) url.path.push('');
            } else if (isSingleDot(buffer) && !slash) {
              url.path.push('');
            } else if (!isSingleDot(buffer)) {
              if (url.scheme === 'file' && url.path.length === 0 && isWindowsDriveLetter(buffer)) {
                buffer = `${buffer[0]}:`;
              }
              url.path.push(buffer);
            }
            buffer = '';
            if (c === '?') {
              url.query = '';
              state = S.query;
            }
            if (c === '#') {
              url.fragment = '';
              state = S.fragment;
            }
          } else {
            buffer += percentEncode(c, inPath);
          }
          break;
        }

        case S.opaquePath:
          if (c === '?') {
            url.query = '';
            state = S.query;
          } else if (c === '#') {
            url.fragment = '';
            state = S.fragment;
          } else if (c !== undefined) {
            url.path += percentEncode(c, inC0);
          }
          break;

        case S.query:
          if ((!stateOverride && c === '#') || c === undefined) {
            url.query += percentEncode(buffer, special ? inSpecialQuery : inQuery);
            buffer = '';
            if (c === '#') {
              url.fragment = '';
              state = S.fragment;
            }
          } else {
            buffer += c;
          }
          break;

        case S.fragment:
          if (c !== undefined) url.fragment += percentEncode(c, inFragment);
          break;
      }
    }
    return url;
  };

  const serializePath = (url) => (hasOpaquePath(url) ? url.path : url.path.map((segment) => `/${segment}`).join(''));

  const serializeURL = (url, excludeFragment) => {
    let out = `${url.scheme}:`;
    if (url.host !== null) {
      out += '//';
      if (includesCredentials(url)) {
        out += url.username + (url.password !== '' ? `:${url.password}` : '') + '@';
      }
      out += url.host + (url.port !== null ? `:${url.port}` : '');
    } else if (!hasOpaquePath(url) && url.path.length > 1 && url.path[0] === '') {
      out += '/.';
    }
    out += serializePath(url);
    if (url.query !== null) out += `?${url.query}`;
    if (!excludeFragment && url.fragment !== null) out += `#${url.fragment}`;
    return out;
  };

  const origin = (url) => {
    if (url.scheme === 'blob') {
      const inner = basicParse(serializePath(url));
      return inner && (inner.scheme === 'http' || inner.scheme === 'https') ? origin(inner) : 'null';
    }
    if (!isSpecialScheme(url.scheme) || url.scheme === 'file') return 'null';
    return `${url.scheme}://${url.host}${url.port !== null ? `:${url.port}` : ''}`;
  };

  const usvString = (value) => `${value}`.toWellFormed();

  // ---- URLSearchParams (WHATWG URL §6) ----

  const plusAsSpace = (text) => (text.indexOf('+') !== -1 ? text.replace(/\+/g, ' ') : text);
  const parseFormEncoded = (text) => {
    const list = [];
    for (const sequence of text.split('&')) {
      if (sequence === '') continue;
      const equals = sequence.indexOf('=');
      const name = equals < 0 ? sequence : sequence.slice(0, equals);
      const value = equals < 0 ? '' : sequence.slice(equals + 1);
      list.push([percentDecode(plusAsSpace(name)), percentDecode(plusAsSpace(value))]);
    }
    return list;
  };

  // Every code point but `*-._`, digits and letters (a lone surrogate alone, as U+FFFD).
  const formEncoded = /[^*\-._0-9A-Za-z]/gu;
  const formEncodeCharacter = (character) => {
    const code = character.charCodeAt(0);
    if (code === 0x20) return '+';
    return code < 0x80 ? percentByte(code) : encodeCodePointAt(character, 0, percentByte);
  };
  // Most names and values need no encoding, which a plain test finds far sooner than a Unicode replace.
  const formPlain = /^[*\-._0-9A-Za-z]*$/;
  const formEncode = (text) => (formPlain.test(text) ? text : text.replace(formEncoded, formEncodeCharacter));
  const serializeFormEncoded = (list) =>
    list.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');

  const missingArguments = (names) =>
    nodeError(TypeError, 'ERR_MISSING_ARGS', `The ${names} must be specified`);
  const invalidTuple = () =>
    nodeError(TypeError, 'ERR_INVALID_TUPLE', 'Each query pair must be an iterable [name, value] tuple');

  let linkParams;
  let replaceParams;
  class URLSearchParams {
    #list = [];
    #url = null;

    constructor(init = undefined) {
      if (init === undefined || init === null) return;
      if (typeof init === 'object' || typeof init === 'function') {
        const iterator = init[Symbol.iterator];
        if (init instanceof URLSearchParams) {
          this.#list = init.#list.map(([name, value]) => [name, value]);
        } else if (iterator !== undefined && iterator !== null) {
          if (typeof iterator !== 'function') {
            throw nodeError(TypeError, 'ERR_ARG_NOT_ITERABLE', 'Query pairs must be iterable');
          }
          for (const pair of init) {
            const isObject = (typeof pair === 'object' && pair !== null) || typeof pair === 'function';
            if (!isObject || typeof pair[Symbol.iterator] !== 'function') throw invalidTuple();
            const entry = Array.from(pair);
            if (entry.length !== 2) throw invalidTuple();
            this.#list.push([usvString(entry[0]), usvString(entry[1])]);
          }
        } else {
          const seen = new Map();
          for (const key of Reflect.ownKeys(init)) {
            const descriptor = Reflect.getOwnPropertyDescriptor(init, key);
            if (descriptor === undefined || !descriptor.enumerable) continue;
            const name = usvString(key);
            const value = usvString(init[key]);
            if (seen.has(name)) {
              this.#list[seen.get(name)][1] = value;
            } else {
              seen.set(name, this.#list.length);
              this.#list.push([name, value]);
            }
          }
        }
      } else {
        const text = usvString(init);
        this.#list = parseFormEncoded(text.startsWith('?') ? text.slice(1) : text);
      }
    }

    // A URL's parameters write their changes to its query; its href and search setters replace them.
    static {
      linkParams = (params, url) => {
        params.#url = url;
      };
      replaceParams = (params, query) => {
        params.#list = query === null ? [] : parseFormEncoded(query);
      };
    }

    #update() {
      if (this.#url === null) return;
      const serialized = serializeFormEncoded(this.#list);
      this.#url.query = serialized === '' ? null : serialized;
    }

    get size() {
      return this.#list.length;
    }

    append(name, value) {
      if (arguments.length < 2) throw missingArguments('"name" and "value" arguments');
      this.#list.push([usvString(name), usvString(value)]);
      this.#update();
    }

    delete(name, value = undefined) {
      if (arguments.length < 1) throw missingArguments('"name" argument');
      const key = usvString(name);
      const expected = value === undefined ? undefined : usvString(value);
      this.#list = this.#list.filter(([n, v]) => !(n === key && (expected === undefined || v === expected)));
      this.#update();
    }

    get(name) {
      if (arguments.length < 1) throw missingArguments('"name" argument');
      const key = usvString(name);
      const found = this.#list.find(([n]) => n === key);
      return found ? found[1] : null;
    }

    getAll(name) {
      if (arguments.length < 1) throw missingArguments('"name" argument');
      const key = usvString(name);
      return this.#list.filter(([n]) => n === key).map(([, v]) => v);
    }

    has(name, value = undefined) {
      if (arguments.length < 1) throw missingArguments('"name" argument');
      const key = usvString(name);
      const expected = value === undefined ? undefined : usvString(value);
      return this.#list.some(([n, v]) => n === key && (expected === undefined || v === expected));
    }

    set(name, value) {
      if (arguments.length < 2) throw missingArguments('"name" and "value" arguments');
      const key = usvString(name);
      const text = usvString(value);
      const index = this.#list.findIndex(([n]) => n === key);
      if (index < 0) {
        this.#list.push([key, text]);
      } else {
        this.#list[index][1] = text;
        this.#list = this.#list.filter(([n], i) => n !== key || i <= index);
      }
      this.#update();
    }

    sort() {
      this.#list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      this.#update();
    }

    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') {
        throw invalidArgType('callback', 'of type function', callback);
      }
      for (let i = 0; i < this.#list.length; i++) {
        const [name, value] = this.#list[i];
        callback.call(thisArg, value, name, this);
      }
    }

    *entries() {
      for (let i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]];
    }

    *keys() {
      for (let i = 0; i < this.#list.length; i++) yield this.#list[i][0];
    }

    *values() {
      for (let i = 0; i < this.#list.length; i++) yield this.#list[i][1];
    }

    toString() {
      return serializeFormEncoded(this.#list);
    }
  }
  URLSearchParams.prototype[Symbol.iterator] = URLSearchParams.prototype.entries;
  Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag, {
    value: 'URLSearchParams',
    configurable: true,
  });

  // ---- URL (WHATWG URL §6.1) ----

  const invalidURL = (input, base) => {
    const error = Object.assign(nodeError(TypeError, 'ERR_INVALID_URL', 'Invalid URL'), { input });
    return base === undefined ? error : Object.assign(error, { base });
  };

  class URL {
    #url;
    // Made on first use: most URLs plugins parse never have theirs read.
    #searchParams = null;

    constructor(input, base = undefined) {
      if (arguments.length === 0) throw missingArguments('"url" argument');
      const text = usvString(input);
      let parsedBase = null;
      if (base !== undefined) {
        parsedBase = basicParse(usvString(base));
        if (parsedBase === null) throw invalidURL(text, `${base}`);
      }
      const url = basicParse(text, parsedBase);
      if (url === null) throw invalidURL(text, base === undefined ? undefined : `${base}`);
      this.#url = url;
    }

    static canParse(input, base = undefined) {
      if (arguments.length === 0) throw missingArguments('"url" argument');
      let parsedBase = null;
      if (base !== undefined) {
        parsedBase = basicParse(usvString(base));
        if (parsedBase === null) return false;
      }
      return basicParse(usvString(input), parsedBase) !== null;
    }

    get href() {
      return serializeURL(this.#url);
    }

    set href(value) {
      const text = usvString(value);
      const url = basicParse(text);
      if (url === null) throw invalidURL(text);
      this.#url = url;
      if (this.#searchParams !== null) {
        replaceParams(this.#searchParams, url.query);
        linkParams(this.#searchParams, url);
      }
    }

    get origin() {
      return origin(this.#url);
    }

    get protocol() {
      return `${this.#url.scheme}:`;
    }

    set protocol(value) {
      basicParse(`${usvString(value)}:`, null, this.#url, S.schemeStart);
    }

    get username() {
      return this.#url.username;
    }

    set username(value) {
      if (!cannotHaveCredentialsOrPort(this.#url)) this.#url.username = percentEncode(usvString(value), inUserinfo);
    }

    get password() {
      return this.#url.password;
    }

    set password(value) {
      if (!cannotHaveCredentialsOrPort(this.#url)) this.#url.password = percentEncode(usvString(value), inUserinfo);
    }

    get host() {
      const url = this.#url;
      if (url.host === null) return '';
      return url.port === null ? url.host : `${url.host}:${url.port}`;
    }

    set host(value) {
      if (!hasOpaquePath(this.#url)) this.#parseInPlace(value, S.host);
    }

    get hostname() {
      return this.#url.host ?? '';
    }

    set hostname(value) {
      if (!hasOpaquePath(this.#url)) this.#parseInPlace(value, S.hostname);
    }

    get port() {
      return this.#url.port === null ? '' : String(this.#url.port);
    }

    set port(value) {
      if (cannotHaveCredentialsOrPort(this.#url)) return;
      const text = usvString(value);
      if (text === '') this.#url.port = null;
      else this.#parseInPlace(text, S.port);
    }

    get pathname() {
      return serializePath(this.#url);
    }

    set pathname(value) {
      if (hasOpaquePath(this.#url)) return;
      const input = usvString(value).replace(/[\t\n\r]/g, '');
      // A special URL's path without backslashes or dot segments is its segments, each percent-encoded.
      const { scheme } = this.#url;
      if (isSpecialScheme(scheme) && scheme !== 'file' && input.indexOf('\\') === -1 && !dotSegment.test(input)) {
        this.#url.path = percentEncode(input.startsWith('/') ? input.slice(1) : input, inPath).split('/');
        return;
      }
      this.#parseInPlace(input, S.pathStart, { path: [] });
    }

    get search() {
      const query = this.#url.query;
      return query === null || query === '' ? '' : `?${query}`;
    }

    set search(value) {
      const text = usvString(value);
      if (text === '') {
        this.#url.query = null;
      } else {
        // What the query state makes of the whole text, code point by code point.
        const input = (text.startsWith('?') ? text.slice(1) : text).replace(/[\t\n\r]/g, '');
        this.#url.query = percentEncode(input, isSpecialScheme(this.#url.scheme) ? inSpecialQuery : inQuery);
      }
      if (this.#searchParams !== null) replaceParams(this.#searchParams, this.#url.query);
    }

    get searchParams() {
      if (this.#searchParams === null) {
        this.#searchParams = new URLSearchParams(this.#url.query ?? '');
        linkParams(this.#searchParams, this.#url);
      }
      return this.#searchParams;
    }

    get hash() {
      const fragment = this.#url.fragment;
      return fragment === null || fragment === '' ? '' : `#${fragment}`;
    }

    set hash(value) {
      const text = usvString(value);
      if (text === '') {
        this.#url.fragment = null;
        return;
      }
      // What the fragment state makes of the whole text.
      this.#url.fragment = percentEncode((text.startsWith('#') ? text.slice(1) : text).replace(/[\t\n\r]/g, ''), inFragment);
    }

    // The setters parse into the URL record itself: a failure part-way keeps what was already set.
    #parseInPlace(value, state, reset = {}) {
      basicParse(usvString(value), null, Object.assign(this.#url, reset), state);
    }

    toString() {
      return serializeURL(this.#url);
    }

    toJSON() {
      return serializeURL(this.#url);
    }
  }
  Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: 'URL', configurable: true });

  const domainToASCII = (domain) => {
    const host = parseHost(usvString(domain), false);
    return host ?? '';
  };
  const domainToUnicode = (domain) => {
    const host = parseHost(usvString(domain), false);
    return host === null ? '' : toUnicode(host);
  };

  // ---- Node's legacy API: Url, parse, format, resolve (as in Node's lib/url.js) ----

  const slashedProtocols = new Set(
    ['http', 'https', 'ftp', 'gopher', 'file', 'ws', 'wss'].flatMap((protocol) => [protocol, `${protocol}:`]));
  // `javascript:` never has a host, and may keep characters other URLs escape.
  const hostlessProtocols = new Set(['javascript', 'javascript:']);

  // Node's querystring.parse and stringify, with the default separators.
  const queryUnescape = (text) => {
    try {
      return decodeURIComponent(text);
    } catch (_) {
      return percentDecode(text);
    }
  };
  const parseQueryString = (query) => {
    const result = Object.create(null);
    for (const pair of query.split('&').slice(0, 1000)) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const key = queryUnescape((equals < 0 ? pair : pair.slice(0, equals)).replace(/\+/g, ' '));
      const value = queryUnescape((equals < 0 ? '' : pair.slice(equals + 1)).replace(/\+/g, ' '));
      if (result[key] === undefined) result[key] = value;
      else if (Array.isArray(result[key])) result[key].push(value);
      else result[key] = [result[key], value];
    }
    return result;
  };
  const stringifyQueryValue = (value) => {
    if (typeof value === 'string') return encodeURIComponent(value);
    // Numbers from 1e21 on print with an exponent's '+', which needs escaping.
    if (typeof value === 'number' && Number.isFinite(value)) {
      return Math.abs(value) < 1e21 ? `${value}` : encodeURIComponent(`${value}`);
    }
    if (typeof value === 'bigint') return `${value}`;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    return '';
  };
  const stringifyQuery = (object) =>
    Object.keys(object)
      .flatMap((key) => {
        const value = object[key];
        const prefix = `${stringifyQueryValue(key)}=`;
        return (Array.isArray(value) ? value : [value]).map((item) => prefix + stringifyQueryValue(item));
      })
      .join('&');

  const isIPv6Hostname = (hostname) => hostname.startsWith('[') && hostname.endsWith(']');
  const forbiddenLegacyHost = /[\0\t\n\r #%/:<>?@[\\\]^|]/;
  const forbiddenLegacyIPv6Host = /[\0\t\n\r #%/<>?@\\^|]/;
  const autoEscaped = (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }

  Url.prototype.parse = function parse(url, parseQuery, slashesDenoteHost) {
    if (typeof url !== 'string') {
      throw invalidArgType('url', 'of type string', url);
    }
    // Backslashes before the query or fragment count as slashes, as browsers treat them.
    let rest = url.replace(/^[\0-\x20\u00a0\ufeff]+|[\0-\x20\u00a0\ufeff]+$/g, '');
    const split = rest.search(/[?#]/);
    const beforeSplit = split < 0 ? rest : rest.slice(0, split);
    const hasAt = beforeSplit.indexOf('@') !== -1;
    const hasHash = rest.indexOf('#') !== -1;
    rest = beforeSplit.replace(/\\/g, '/') + (split < 0 ? '' : rest.slice(split));

    if (!slashesDenoteHost && !hasHash && !hasAt) {
      const simplePath = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/.exec(rest);
      if (simplePath) {
        this.path = rest;
        this.href = rest;
        this.pathname = simplePath[1];
        if (simplePath[2]) {
          this.search = simplePath[2];
          this.query = parseQuery ? parseQueryString(this.search.slice(1)) : this.search.slice(1);
        } else if (parseQuery) {
          this.search = null;
          this.query = Object.create(null);
        }
        return this;
      }
    }

    let proto = /^[a-z0-9.+-]+:/i.exec(rest);
    let lowerProto;
    if (proto) {
      proto = proto[0];
      lowerProto = proto.toLowerCase();
      this.protocol = lowerProto;
      rest = rest.slice(proto.length);
    }

    let slashes;
    if (slashesDenoteHost || proto || /^\/\/[^@/]+@[^@/]+/.test(rest)) {
      slashes = rest.startsWith('//');
      if (slashes && !(proto && hostlessProtocols.has(lowerProto))) {
        rest = rest.slice(2);
        this.slashes = true;
      }
    }

    if (!hostlessProtocols.has(lowerProto) && (slashes || (proto && !slashedProtocols.has(proto)))) {
      // The host ends at the first / ? or #. Characters never allowed in a host end it too,
      // unless an @ follows them: everything before the last @ is the auth.
      let hostEnd = -1;
      let atSign = -1;
      let nonHost = -1;
      for (let i = 0; i < rest.length && hostEnd === -1; ++i) {
        const character = rest[i];
        if (character === '\t' || character === '\n' || character === '\r') {
          rest = rest.slice(0, i) + rest.slice(i + 1);
          i -= 1;
        } else if (' "%\';<>\\^`{|}'.indexOf(character) !== -1) {
          if (nonHost === -1) nonHost = i;
        } else if (character === '#' || character === '/' || character === '?') {
          if (nonHost === -1) nonHost = i;
          hostEnd = i;
        } else if (character === '@') {
          atSign = i;
          nonHost = -1;
        }
      }
      let start = 0;
      if (atSign !== -1) {
        this.auth = decodeURIComponent(rest.slice(0, atSign));
        start = atSign + 1;
      }
      if (nonHost === -1) {
        this.host = rest.slice(start);
        rest = '';
      } else {
        this.host = rest.slice(start, nonHost);
        rest = rest.slice(nonHost);
      }

      this.parseHost();
      if (typeof this.hostname !== 'string') this.hostname = '';
      const ipv6Hostname = isIPv6Hostname(this.hostname);
      if (!ipv6Hostname) {
        // Whatever follows a character that can't be in a host name goes to the path.
        const cut = this.hostname.search(/[/\\?#:]/);
        if (cut >= 0) {
          rest = `/${this.hostname.slice(cut)}${rest}`;
          this.hostname = this.hostname.slice(0, cut);
        }
      }
      this.hostname = this.hostname.length > 255 ? '' : this.hostname.toLowerCase();
      if (this.hostname !== '') {
        if (ipv6Hostname) {
          if (forbiddenLegacyIPv6Host.test(this.hostname)) throw invalidURL(url);
        } else {
          this.hostname = toASCII(this.hostname) ?? '';
          if (this.hostname === '' || forbiddenLegacyHost.test(this.hostname)) {
            throw invalidURL(url);
          }
        }
      }
      this.host = this.hostname + (this.port ? `:${this.port}` : '');
      if (ipv6Hostname) {
        this.hostname = this.hostname.slice(1, -1);
        if (rest[0] !== '/') rest = `/${rest}`;
      }
    }

    if (!hostlessProtocols.has(lowerProto)) rest = rest.replace(/[\t\n\r "'<>\\^`{|}]/g, autoEscaped);

    const hashIndex = rest.indexOf('#');
    if (hashIndex !== -1) this.hash = rest.slice(hashIndex);
    const questionIndex = rest.slice(0, hashIndex === -1 ? rest.length : hashIndex).indexOf('?');
    if (questionIndex !== -1) {
      const searchEnd = hashIndex === -1 ? rest.length : hashIndex;
      this.search = rest.slice(questionIndex, searchEnd);
      this.query = rest.slice(questionIndex + 1, searchEnd);
      if (parseQuery) this.query = parseQueryString(this.query);
    } else if (parseQuery) {
      this.search = null;
      this.query = Object.create(null);
    }

    const firstIndex = questionIndex !== -1 ? questionIndex : hashIndex;
    if (firstIndex === -1) {
      if (rest.length > 0) this.pathname = rest;
    } else if (firstIndex > 0) {
      this.pathname = rest.slice(0, firstIndex);
    }
    if (slashedProtocols.has(lowerProto) && this.hostname && !this.pathname) this.pathname = '/';
    if (this.pathname || this.search) this.path = (this.pathname || '') + (this.search || '');
    this.href = this.format();
    return this;
  };

  Url.prototype.parseHost = function parseHost() {
    let host = this.host;
    const port = /:[0-9]*$/.exec(host);
    if (port) {
      if (port[0] !== ':') this.port = port[0].slice(1);
      host = host.slice(0, host.length - port[0].length);
    }
    if (host) this.hostname = host;
  };

  Url.prototype.format = function format() {
    let auth = this.auth || '';
    if (auth) auth = `${encodeURIComponent(auth).replace(/%3A/g, ':')}@`;
    let protocol = this.protocol || '';
    let pathname = (this.pathname || '').replace(/[#?]/g, (character) => (character === '#' ? '%23' : '%3F'));
    let hash = this.hash || '';
    let host = '';
    if (this.host) {
      host = auth + this.host;
    } else if (this.hostname) {
      const bracketed = this.hostname.indexOf(':') !== -1 && !isIPv6Hostname(this.hostname);
      const hostname = bracketed ? `[${this.hostname}]` : this.hostname;
      host = auth + hostname + (this.port ? `:${this.port}` : '');
    }
    const query = this.query !== null && typeof this.query === 'object' ? stringifyQuery(this.query) : '';
    let search = this.search || (query && `?${query}`) || '';
    if (protocol && !protocol.endsWith(':')) protocol += ':';
    if (this.slashes || slashedProtocols.has(protocol)) {
      if (this.slashes || host) {
        if (pathname && pathname[0] !== '/') pathname = `/${pathname}`;
        host = `//${host}`;
      } else if (protocol.startsWith('file')) {
        host = '//';
      }
    }
    search = search.replace(/#/g, '%23');
    if (hash && hash[0] !== '#') hash = `#${hash}`;
    if (search && search[0] !== '?') search = `?${search}`;
    return protocol + host + pathname + search + hash;
  };

  Url.prototype.resolve = function resolve(relative) {
    return this.resolveObject(parse(relative, false, true)).format();
  };

  Url.prototype.resolveObject = function resolveObject(relative) {
    if (typeof relative === 'string') {
      const parsed = new Url();
      parsed.parse(relative, false, true);
      relative = parsed;
    }
    const result = new Url();
    Object.assign(result, this);
    result.hash = relative.hash;
    if (relative.href === '') {
      result.href = result.format();
      return result;
    }

    // //host/path keeps only the protocol.
    if (relative.slashes && !relative.protocol) {
      for (const key of Object.keys(relative)) {
        if (key !== 'protocol') result[key] = relative[key];
      }
      if (slashedProtocols.has(result.protocol) && result.hostname && !result.pathname) {
        result.path = result.pathname = '/';
      }
      result.href = result.format();
      return result;
    }

    if (relative.protocol && relative.protocol !== result.protocol) {
      if (!slashedProtocols.has(relative.protocol)) {
        Object.assign(result, relative);
        result.href = result.format();
        return result;
      }
      result.protocol = relative.protocol;
      if (!relative.host && !/^file:?$/.test(relative.protocol) && !hostlessProtocols.has(relative.protocol)) {
        const relPath = (relative.pathname || '').split('/');
        while (relPath.length && !(relative.host = relPath.shift()));
        if (!relative.host) relative.host = '';
        if (!relative.hostname) relative.hostname = '';
        if (relPath[0] !== '') relPath.unshift('');
        if (relPath.length < 2) relPath.unshift('');
        result.pathname = relPath.join('/');
      } else {
        result.pathname = relative.pathname;
      }
      result.search = relative.search;
      result.query = relative.query;
      result.host = relative.host || '';
      result.auth = relative.auth;
      result.hostname = relative.hostname || relative.host;
      result.port = relative.port;
      if (result.pathname || result.search) result.path = (result.pathname || '') + (result.search || '');
      result.slashes = result.slashes || relative.slashes;
      result.href = result.format();
      return result;
    }

    const isSourceAbs = result.pathname && result.pathname[0] === '/';
    const isRelAbs = relative.host || (relative.pathname && relative.pathname[0] === '/');
    let mustEndAbs = isRelAbs || isSourceAbs || (result.host && relative.pathname);
    const removeAllDots = mustEndAbs;
    let srcPath = (result.pathname && result.pathname.split('/')) || [];
    const relPath = (relative.pathname && relative.pathname.split('/')) || [];
    const noLeadingSlashes = result.protocol && !slashedProtocols.has(result.protocol);

    // In URLs without //, ../ climbs up into the host too: the host is treated as the first path part.
    if (noLeadingSlashes) {
      result.hostname = '';
      result.port = null;
      if (result.host) {
        if (srcPath[0] === '') srcPath[0] = result.host;
        else srcPath.unshift(result.host);
      }
      result.host = '';
      if (relative.protocol) {
        relative.hostname = null;
        relative.port = null;
        result.auth = null;
        if (relative.host) {
          if (relPath[0] === '') relPath[0] = relative.host;
          else relPath.unshift(relative.host);
        }
        relative.host = null;
      }
      mustEndAbs = mustEndAbs && (relPath[0] === '' || srcPath[0] === '');
    }

    // The auth may end up in the host, e.g. resolving 'local2@domain2' against 'mailto:local1@domain1'.
    const splitAuthFromHost = () => {
      const authInHost = result.host && result.host.indexOf('@') > 0 ? result.host.split('@') : false;
      if (authInHost) {
        result.auth = authInHost.shift();
        result.host = result.hostname = authInHost.shift();
      }
    };

    if (isRelAbs) {
      if (relative.host || relative.host === '') {
        if (result.host !== relative.host) result.auth = null;
        result.host = relative.host;
        result.port = relative.port;
      }
      if (relative.hostname || relative.hostname === '') {
        if (result.hostname !== relative.hostname) result.auth = null;
        result.hostname = relative.hostname;
      }
      result.search = relative.search;
      result.query = relative.query;
      srcPath = relPath;
    } else if (relPath.length) {
      srcPath.pop();
      srcPath = srcPath.concat(relPath);
      result.search = relative.search;
      result.query = relative.query;
    } else if (relative.search !== null && relative.search !== undefined) {
      if (noLeadingSlashes) {
        result.hostname = result.host = srcPath.shift();
        splitAuthFromHost();
      }
      result.search = relative.search;
      result.query = relative.query;
      if (result.pathname !== null || result.search !== null) {
        result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
      }
      result.href = result.format();
      return result;
    }

    if (!srcPath.length) {
      result.pathname = null;
      result.path = result.search ? `/${result.search}` : null;
      result.href = result.format();
      return result;
    }

    // A path ending in . or .. gets a trailing slash; one ending in anything else doesn't.
    let last = srcPath.slice(-1)[0];
    const hasTrailingSlash =
      ((result.host || relative.host || srcPath.length > 1) && (last === '.' || last === '..')) || last === '';
    let up = 0;
    for (let i = srcPath.length - 1; i >= 0; i--) {
      last = srcPath[i];
      if (last === '.') {
        srcPath.splice(i, 1);
      } else if (last === '..') {
        srcPath.splice(i, 1);
        up++;
      } else if (up) {
        srcPath.splice(i, 1);
        up--;
      }
    }
    if (!mustEndAbs && !removeAllDots) {
      while (up--) srcPath.unshift('..');
    }
    if (mustEndAbs && srcPath[0] !== '' && (!srcPath[0] || srcPath[0][0] !== '/')) srcPath.unshift('');
    if (hasTrailingSlash && srcPath.join('/').slice(-1) !== '/') srcPath.push('');
    const isAbsolute = srcPath[0] === '' || (srcPath[0] && srcPath[0][0] === '/');
    if (noLeadingSlashes) {
      result.hostname = result.host = isAbsolute ? '' : srcPath.length ? srcPath.shift() : '';
      splitAuthFromHost();
    }
    mustEndAbs = mustEndAbs || (result.host && srcPath.length);
    if (mustEndAbs && !isAbsolute) srcPath.unshift('');
    if (srcPath.length) {
      result.pathname = srcPath.join('/');
    } else {
      result.pathname = null;
      result.path = null;
    }
    if (result.pathname !== null || result.search !== null) {
      result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
    }
    result.auth = relative.auth || result.auth;
    result.slashes = result.slashes || relative.slashes;
    result.href = result.format();
    return result;
  };

  const parse = (url, parseQuery, slashesDenoteHost) => {
    if (url instanceof Url) return url;
    const parsed = new Url();
    parsed.parse(url, parseQuery, slashesDenoteHost);
    return parsed;
  };

  // A WHATWG URL formats through its href, leaving out what the options turn off.
  const formatURL = (url, options) => {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgType('options', 'of type object', options);
    }
    const choose = (name, fallback) => (options && options[name] != null ? Boolean(options[name]) : fallback);
    const record = basicParse(url.href);
    if (!choose('fragment', true)) record.fragment = null;
    if (!choose('search', true)) record.query = null;
    if (!choose('auth', true)) record.username = record.password = '';
    if (choose('unicode', false) && record.host !== null) record.host = toUnicode(record.host);
    return serializeURL(record);
  };

  const format = (urlObject, options) => {
    if (typeof urlObject === 'string') return parse(urlObject).format();
    if (typeof urlObject !== 'object' || urlObject === null) {
      throw invalidArgType('urlObject', 'one of type object or string', urlObject);
    }
    if (urlObject instanceof URL) return formatURL(urlObject, options);
    return Url.prototype.format.call(urlObject);
  };

  const resolve = (source, relative) => parse(source, false, true).resolve(relative);

  const resolveObject = (source, relative) =>
    (source ? parse(source, false, true).resolveObject(relative) : relative);

  return { URL, URLSearchParams, Url, parse, format, resolve, resolveObject, domainToASCII, domainToUnicode };
}
