/* A pre-check shared by the specificity and urgency detectors (plugins/_native/specificity.c, urgency.c): which
 * groups of words a text holds, in one pass. A detector uses it only before a compiled pattern every match of
 * which holds one of the words of a group, to skip the search where it cannot match.
 */
#ifndef SMSGUARD_SPECIFICITY_WORDS_H
#define SMSGUARD_SPECIFICITY_WORDS_H

#include "common.h"

#include <stdint.h>

#define WT_MAX_WORDS 64

/* word k is chars[ends[k - 1]:ends[k]] (chars[0:ends[0]] for k = 0), of group group[k] */
typedef struct {
    Py_ssize_t count;
    Py_UCS4 *chars;
    Py_ssize_t ends[WT_MAX_WORDS];
    unsigned char group[WT_MAX_WORDS];
    uint64_t by_first[256];     /* bit k: word k starts with a character c, c % 256 == index */
} word_table;

static inline void
wt_clear(word_table *w)
{
    PyMem_Free(w->chars);
    memset(w, 0, sizeof(*w));
}

/* Add the words of ``words`` (a tuple of non-empty strs) as group ``group`` (below 32): 0, or -1 with an
 * exception set. */
static inline int
wt_add(word_table *w, PyObject *words, int group, const char *what)
{
    if (!PyTuple_CheckExact(words)) {
        PyErr_Format(PyExc_TypeError, "bind: %s must be a tuple of words", what);
        return -1;
    }
    Py_ssize_t total = w->count == 0 ? 0 : w->ends[w->count - 1];
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(word) || PyUnicode_READY(word) < 0 || PyUnicode_GET_LENGTH(word) == 0
            || w->count == WT_MAX_WORDS) {
            PyErr_Format(PyExc_ValueError, "bind: %s: at most %d words in all, none empty", what, WT_MAX_WORDS);
            return -1;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(word);
        Py_UCS4 *chars = PyMem_Resize(w->chars, Py_UCS4, total + length);
        if (chars == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->chars = chars;
        for (Py_ssize_t j = 0; j < length; j++) {
            chars[total++] = PyUnicode_READ_CHAR(word, j);
        }
        w->by_first[PyUnicode_READ_CHAR(word, 0) & 0xff] |= (uint64_t)1 << w->count;
        w->group[w->count] = (unsigned char)group;
        w->ends[w->count++] = total;
    }
    return 0;
}

/* The groups among ``all`` of the words ``text`` (a ready str) holds, bit g for group g; the scan stops once
 * those of ``all`` are found. */
static inline unsigned
wt_found(const word_table *w, PyObject *text, unsigned all)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    unsigned found = 0;
    for (Py_ssize_t i = 0; i < n && found != all; i++) {
        uint64_t candidates = w->by_first[PyUnicode_READ(kind, data, i) & 0xff];
        for (int k = 0; candidates != 0; k++, candidates >>= 1) {
            if (!(candidates & 1) || !((all >> w->group[k]) & 1) || (found >> w->group[k]) & 1) {
                continue;
            }
            Py_ssize_t start = k == 0 ? 0 : w->ends[k - 1], length = w->ends[k] - start, j = 0;
            while (j < length && i + j < n && PyUnicode_READ(kind, data, i + j) == w->chars[start + j]) {
                j++;
            }
            if (j == length) {
                found |= 1u << w->group[k];
            }
        }
    }
    return found;
}

/* Whether word k of the table is at i of the text (kind, data, n): its length, else 0 */
static inline Py_ssize_t
wt_word_at(const word_table *w, int k, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t start = k == 0 ? 0 : w->ends[k - 1], length = w->ends[k] - start, j = 0;
    while (j < length && i + j < n && PyUnicode_READ(kind, data, i + j) == w->chars[start + j]) {
        j++;
    }
    return j == length ? length : 0;
}

/* Whether a word of group ``second`` is at i of the text: 1, else 0 */
static inline int
wt_group_at(const word_table *w, int second, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    if (i >= n) {
        return 0;
    }
    uint64_t candidates = w->by_first[PyUnicode_READ(kind, data, i) & 0xff];
    for (int k = 0; candidates != 0; k++, candidates >>= 1) {
        if ((candidates & 1) && w->group[k] == second && wt_word_at(w, k, kind, data, n, i) > 0) {
            return 1;
        }
    }
    return 0;
}

/* The first place at or after ``from`` in ``text`` (a ready str) where a word of group ``first`` starts, directly
 * followed by a word of group ``second`` when ``second`` is not -1; -1 where there is none. */
static inline Py_ssize_t
wt_first(const word_table *w, PyObject *text, Py_ssize_t from, int first, int second)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = from < 0 ? 0 : from; i < n; i++) {
        uint64_t candidates = w->by_first[PyUnicode_READ(kind, data, i) & 0xff];
        for (int k = 0; candidates != 0; k++, candidates >>= 1) {
            Py_ssize_t length;
            if ((candidates & 1) && w->group[k] == first && (length = wt_word_at(w, k, kind, data, n, i)) > 0
                && (second < 0 || wt_group_at(w, second, kind, data, n, i + length))) {
                return i;
            }
        }
    }
    return -1;
}

/* The start of the run of decimal digits, digits, whitespace and characters of ``lead`` (a ready str) that ends
 * at ``end`` of ``text``, but not before ``from``. A pattern whose matches open with such a run before a word,
 * the first of which in the text is at ``end``, matches nowhere before that start (see urgency.c). */
static inline Py_ssize_t
wt_run_start(PyObject *text, Py_ssize_t end, Py_ssize_t from, PyObject *lead)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    while (end > from) {
        Py_UCS4 c = PyUnicode_READ(kind, data, end - 1);
        if (!Py_UNICODE_ISDECIMAL(c) && !Py_UNICODE_ISDIGIT(c) && !Py_UNICODE_ISSPACE(c)
            && PyUnicode_FindChar(lead, c, 0, PyUnicode_GET_LENGTH(lead), 1) < 0) {
            break;
        }
        end--;
    }
    return end;
}

#endif
