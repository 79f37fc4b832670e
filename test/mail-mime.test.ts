import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readAttachment, readMessage } from '../src/mail/mime.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));

describe('readMessage', () => {
  it('reads both parts of multipart/alternative, quoted-printable UTF-8, and the address headers', async () => {
    const message = await readMessage(fixture('multipart-alternative.eml'));
    assert.equal(message.fromName, 'Andrée Gagnon');
    assert.equal(message.fromAddress, 'andree@fournisseur.example');
    assert.equal(message.from, '"Andrée Gagnon" <andree@fournisseur.example>');
    assert.deepEqual(message.toAddresses, ['jeanne@monomdedomaine.ca', 'paul@monomdedomaine.ca']);
    assert.deepEqual(message.ccAddresses, ['compta@fournisseur.example']);
    assert.match(message.cc, /Service, comptabilité/);
    assert.equal(message.subject, 'Facture de novembre');
    assert.equal(message.date?.toISOString(), '2026-11-23T14:15:00.000Z');
    assert.equal(message.messageId, '<alt-1@fournisseur.example>');
    assert.match(message.text, /^Bonjour Jeanne,\n\nVoici la facture de novembre : 1 250,00 \$\.\nÀ bientôt\.\n/);
    assert.match(message.html ?? '', /<p>Voici la <b>facture<\/b> de novembre : 1 250,00 \$\.<\/p><p>À bientôt\.<\/p>/);
    assert.deepEqual(message.attachments, []);
  });

  it('lists attachments (a PDF, an .html file, a file with a path in its name) and reads each back', async () => {
    const raw = fixture('attachments.eml');
    const message = await readMessage(raw);
    assert.match(message.text, /Les documents sont joints\./);
    assert.equal(message.html, undefined, 'an attached .html file is not the body');
    assert.deepEqual(
      message.attachments.map(({ index, filename, contentType }) => ({ index, filename, contentType })),
      [
        { index: 0, filename: 'contrat.pdf', contentType: 'application/pdf' },
        { index: 1, filename: 'rapport.html', contentType: 'text/html' },
        { index: 2, filename: 'etc.txt', contentType: 'text/plain' },
      ],
    );
    const pdf = await readAttachment(raw, 0);
    assert.ok(pdf);
    assert.ok(pdf.content.subarray(0, 8).equals(Buffer.from('%PDF-1.4')));
    assert.equal(message.attachments[0]?.size, pdf.content.length);
    const html = await readAttachment(raw, 1);
    assert.match(html?.content.toString('utf8') ?? '', /<script>alert\(1\)<\/script>/, 'served as a file, untouched');
    assert.equal((await readAttachment(raw, 2))?.content.toString(), 'secret');
    assert.equal(await readAttachment(raw, 3), null);
  });

  it('decodes an ISO-8859-1 body and an ISO-8859-1 Q-encoded subject and name', async () => {
    const message = await readMessage(fixture('iso-8859-1.eml'));
    assert.equal(message.fromName, 'François Bélanger');
    assert.equal(message.subject, 'Réunion à l’été'.replace('’', "'"));
    assert.equal(message.text.trim(), 'La réunion aura lieu à Trois-Rivières, près du café « Le Flâneur ».');
  });

  it('joins quoted-printable soft line breaks and decodes =3D', async () => {
    const message = await readMessage(fixture('quoted-printable.eml'));
    assert.equal(
      message.text.trim(),
      'Une très longue ligne coupée par des retours souples pour respecter la limite de soixante-seize ' +
        'caractères, avec un signe = égal.',
    );
  });

  it('decodes RFC 2047 B-encoded subjects and names', async () => {
    const message = await readMessage(fixture('encoded-subject-b.eml'));
    assert.equal(message.subject, 'Résumé de la journée ✓');
    assert.equal(message.fromName, 'Zoé Tremblay');
  });

  it('decodes RFC 2047 Q-encoded subjects, joining adjacent words in different charsets', async () => {
    const message = await readMessage(fixture('encoded-subject-q.eml'));
    assert.equal(message.subject, 'Café et crème brûlée');
  });

  it('shows winmail.dat as a plain attachment', async () => {
    const raw = fixture('winmail.eml');
    const message = await readMessage(raw);
    assert.match(message.text, /Voir la piece jointe\./);
    assert.deepEqual(message.attachments, [
      { index: 0, filename: 'winmail.dat', contentType: 'application/ms-tnef', size: 64 },
    ]);
    assert.equal((await readAttachment(raw, 0))?.content.length, 64);
  });

  it('still shows a message too broken to parse (over 1000 MIME parts), as its raw text', async () => {
    const parts = Array.from({ length: 1100 }, (_, i) => `--b\r\n\r\npart ${i}\r\n`).join('');
    const raw = Buffer.from(`Subject: x\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`);
    const message = await readMessage(raw);
    assert.match(message.text, /part 1099/);
    assert.deepEqual(message.attachments, []);
  });
});
