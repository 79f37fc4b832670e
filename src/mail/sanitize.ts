import sanitizeHtml from 'sanitize-html';

// Inline styles are kept, property by property, because most mail lays itself out with them. A
// value may hold words, numbers, colours and rgb()/hsl() only: no url(), expression(), @import,
// var() or backslash escapes (which could spell any of those), so no style can fetch or run
// anything. <style> elements are dropped whole: their selectors could restyle the reader's page.
const CSS_VALUE = /^(?:[\w\s#%.,'"/+-]|(?:rgba?|hsla?)\([\w\s#%.,/+-]*\))*$/i;
const STYLE_PROPERTIES = [
  'color',
  'background-color',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'line-height',
  'letter-spacing',
  'text-align',
  'text-decoration',
  'text-indent',
  'text-transform',
  'white-space',
  'vertical-align',
  'width',
  'height',
  'max-width',
  'min-width',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'border',
  'border-top',
  'border-right',
  'border-bottom',
  'border-left',
  'border-color',
  'border-style',
  'border-width',
  'border-radius',
  'border-collapse',
  'border-spacing',
  'display',
  'list-style-type',
];

const TAGS = [
  ...['a', 'abbr', 'address', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br', 'caption', 'center', 'cite', 'code'],
  ...['col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'h1', 'h2', 'h3'],
  ...['h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small'],
  ...['span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'tt', 'u'],
  ...['ul', 'wbr'],
];
const CELL = ['align', 'valign', 'width', 'height', 'bgcolor', 'colspan', 'rowspan', 'nowrap'];

// Elements whose content is not text for the reader (code, metadata, embedded documents).
const DROPPED_WITH_CONTENT = ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes'];
const MORE_DROPPED = ['title', 'head', 'template', 'iframe', 'object', 'svg', 'math', 'select', 'plaintext'];

// Only inert raster images may be inlined as data: URLs.
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp);base64,[a-z0-9+/=\s]*$/i;

// A link means something only when absolute: a relative or fragment-only href would resolve
// against this app (the frame's own URL), never the sender's site. `http:x` and `http:/x` are
// relative too, so the scheme must be followed by two slashes (or backslashes, read the same way).
const ABSOLUTE_LINK = /^(?:https?:[/\\]{2}|mailto:)/i;

/** A URL as browsers read it: leading and trailing controls and spaces trimmed, tabs and newlines dropped. */
// eslint-disable-next-line no-control-regex
const urlAsRead = (url: string) => url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');

/**
 * Makes a message's HTML safe to show: an allow-list of formatting tags and attributes, absolute
 * links opening in a new tab without referrer (other links become text), no scripts, handlers,
 * forms, frames, svg or dangerous URLs. Remote images are removed unless allowRemoteImages, and
 * counted so the reader can ask. An image not shown becomes `<span class="blocked-image">` with
 * its alt text, or blockedImageLabel (in the reader's language) when it has none.
 */
export function sanitizeMessageHtml(
  html: string,
  options: { allowRemoteImages: boolean; blockedImageLabel: string },
): { html: string; blockedRemoteImages: number } {
  let blockedRemoteImages = 0;
  const output = sanitizeHtml(html, {
    allowedTags: TAGS,
    allowedAttributes: {
      '*': ['dir', 'lang', 'title', 'align', 'style'],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height', 'border'],
      span: ['class'],
      table: ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'align'],
      td: CELL,
      th: CELL,
      tr: ['align', 'valign', 'bgcolor'],
      col: ['span', 'width'],
      colgroup: ['span', 'width'],
      font: ['color', 'face', 'size'],
      ol: ['start', 'type'],
      ul: ['type'],
      li: ['value'],
      hr: ['width', 'size', 'noshade'],
    },
    allowedClasses: { span: ['blocked-image'] },
    allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [CSS_VALUE]])) },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    nonTextTags: [...DROPPED_WITH_CONTENT, ...MORE_DROPPED],
    transformTags: {
      a: (tagName, attribs) => {
        const { href = '', target: _target, rel: _rel, ...rest } = attribs;
        const url = urlAsRead(href);
        // Without href the element is only its text (and a harmless name anchor, if it had one).
        if (!ABSOLUTE_LINK.test(url)) return { tagName, attribs: rest };
        return { tagName, attribs: { ...rest, href: url, target: '_blank', rel: 'noopener noreferrer' } };
      },
      img: (tagName, attribs) => {
        const { src = '', ...rest } = attribs;
        // Browsers ignore whitespace and control characters in URLs; so does this check.
        // eslint-disable-next-line no-control-regex
        const url = src.replace(/[\u0000-\u0020\u007f]/g, '');
        const remote = /^(?:https?:)?[/\\]{2}/i.test(url) || /^https?:/i.test(url);
        if (remote && !options.allowRemoteImages) blockedRemoteImages++;
        const keep = (remote && options.allowRemoteImages && /^https?:/i.test(url)) || DATA_IMAGE.test(url);
        if (keep) return { tagName, attribs: { ...rest, src: url } };
        // An <img> without src is invalid and shows a broken icon: a labelled placeholder instead.
        const alt = (rest.alt ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
        const label = options.blockedImageLabel;
        return {
          tagName: 'span',
          attribs: { class: 'blocked-image', ...(alt ? { title: label } : {}) },
          text: alt || label,
        };
      },
    },
  });
  return { html: output, blockedRemoteImages };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// A URL ends at whitespace, at characters that cannot be in one, and before trailing punctuation.
const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}]/gi;

/**
 * A plain-text body as HTML: every character escaped, http(s) and mailto links made clickable.
 * Line breaks are kept as they are: show the result in an element with `white-space: pre-wrap`.
 */
export function textToHtml(text: string): string {
  let html = '';
  let last = 0;
  // Escaping each piece, links included, leaves nothing of the text able to form markup.
  for (const match of text.matchAll(LINK)) {
    const url = escapeHtml(match[0]);
    html += escapeHtml(text.slice(last, match.index));
    html += `<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`;
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}
