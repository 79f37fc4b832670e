import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSearch, searchForm, searchTextOf } from '../src/mail/search.ts';

describe('search', () => {
  it('compares without case or accents', () => {
    assert.equal(searchForm('Réunion BUDGÉTAIRE à Montréal'), 'reunion budgetaire a montreal');
    assert.equal(searchForm('ﬁchier\u0000x'), 'fichier x', 'ligatures unfolded, control characters gone');
  });

  it('keeps each field in its own section, in order', () => {
    const text = searchTextOf({ from: 'Él <el@a.ca>', to: 'b@c.ca', subject: 'Objet', body: 'Texte' });
    assert.equal(text, '\u0001f el <el@a.ca>\u0001t b@c.ca\u0001s objet\u0001b texte');
  });

  it('reads words, quoted phrases, field operators, attachments and dates', () => {
    assert.deepEqual(parseSearch('from:Paul "ordre du jour" has:attachment before:2026-11-30 after:2026-11-01 10:30'), {
      terms: [
        { field: 'from', text: 'paul' },
        { field: null, text: 'ordre du jour' },
        { field: null, text: '10:30' },
      ],
      hasAttachment: true,
      before: new Date('2026-11-30T00:00:00Z'),
      after: new Date('2026-11-01T00:00:00Z'),
    });
    assert.deepEqual(parseSearch('objet:Réunion de:luc a:pièce-jointe').terms, [
      { field: 'subject', text: 'reunion' },
      { field: 'from', text: 'luc' },
    ]);
    assert.deepEqual(parseSearch('before:hier').terms, [{ field: null, text: 'before:hier' }], 'a bad date is a word');
  });
});
