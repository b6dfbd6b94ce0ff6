/* The scanners of smsguard/_native/extract.c: the hints of smsguard.extract and a matcher for each of its
 * simpler expressions (case number, amount, phone number, date, signature), each exactly as `re` matches it.
 *
 * Every function reads a UCS4 text `t` with PAD sentinel characters (SENT, which no class matches) before and
 * after it, so lookbehinds and lookaheads near either end need no bounds checks. Every scanner stops at the
 * first character that fails, so none reads further than one sentinel past the text.
 */
#ifndef SMSGUARD_EXTRACT_SCAN_H
#define SMSGUARD_EXTRACT_SCAN_H

#include "common.h"

#define PAD 8
#define SENT 0x110000u  /* not a code point: matches no class */

/* ---- character classes -------------------------------------------------------------------------------- */

/* Below first_digit (the first decimal digit above ASCII) and from gap_lo to gap_hi (the CJK ideographs and
 * the code points around them) no character is a decimal digit: computed at import from the Unicode database. */
static Py_UCS4 first_digit = 128, gap_lo = 0x4e00, gap_hi = 0x4dff;

static inline int
is_digit(Py_UCS4 c)
{
    if (c < first_digit) {
        return c >= '0' && c <= '9';
    }
    return (c < gap_lo || c > gap_hi) && Py_UNICODE_ISDECIMAL(c);
}

static void
find_digit_gaps(void)
{
    while (first_digit < 0x10000 && !Py_UNICODE_ISDECIMAL(first_digit)) {
        first_digit++;
    }
    Py_UCS4 lo = 0x4e00, hi = 0x4e00;
    while (lo > first_digit && !Py_UNICODE_ISDECIMAL(lo - 1)) {
        lo--;
    }
    while (hi < 0xffff && !Py_UNICODE_ISDECIMAL(hi + 1)) {
        hi++;
    }
    if (!Py_UNICODE_ISDECIMAL(0x4e00)) {
        gap_lo = lo;
        gap_hi = hi;
    }
}

static inline int
is_space(Py_UCS4 c)
{
    return c != SENT && Py_UNICODE_ISSPACE(c);
}

static inline int
is_cjk(Py_UCS4 c)
{
    return c >= 0x4e00 && c <= 0x9fff;
}

static inline int
is_letter(Py_UCS4 c)  /* extract._LETTERS */
{
    return (c >= 'a' && c <= 'z') || (c >= 0xc0 && c <= 0x24f) || (c >= 0x370 && c <= 0x4ff);
}

static inline int
is_label(Py_UCS4 c)  /* extract._LABEL_CHARS */
{
    return (c >= '0' && c <= '9') || is_letter(c);
}

static inline int
is_dash_space(Py_UCS4 c)
{
    return c == '-' || c == ' ';
}

static inline int
is_date_sep(Py_UCS4 c)
{
    return c == '/' || c == '.' || c == '-';
}

static inline int
ascii_between(Py_UCS4 c, char lo, char hi)
{
    return c >= (Py_UCS4)lo && c <= (Py_UCS4)hi;
}

/* The number of digits from t[i], counting at most `cap`. */
static inline Py_ssize_t
digit_run(const Py_UCS4 *t, Py_ssize_t i, Py_ssize_t cap)
{
    Py_ssize_t k = 0;
    while (k < cap && is_digit(t[i + k])) {
        k++;
    }
    return k;
}

static inline Py_ssize_t
cjk_run(const Py_UCS4 *t, Py_ssize_t i, Py_ssize_t cap)
{
    Py_ssize_t k = 0;
    while (k < cap && is_cjk(t[i + k])) {
        k++;
    }
    return k;
}

static inline Py_ssize_t
skip_space(const Py_UCS4 *t, Py_ssize_t i)
{
    while (is_space(t[i])) {
        i++;
    }
    return i;
}

static inline int
starts2(const Py_UCS4 *t, Py_ssize_t i, Py_UCS4 a, Py_UCS4 b)
{
    return t[i] == a && t[i + 1] == b;
}

static inline int
starts3(const Py_UCS4 *t, Py_ssize_t i, Py_UCS4 a, Py_UCS4 b, Py_UCS4 c)
{
    return t[i] == a && t[i + 1] == b && t[i + 2] == c;
}

typedef struct {
    Py_ssize_t a, b;  /* the match (group 1 of the searched expressions) */
    Py_ssize_t x, y;  /* a signature's inner group; an amount's number */
    Py_ssize_t c, d;  /* an amount's cents (c == d: none) */
    int wan;          /* an amount in 万 or 万元 */
} match_t;

/* ---- the hints ------------------------------------------------------------------------------------------ */

enum { H_DIGIT = 1, H_PAREN = 2, H_AMOUNT = 4, H_DATE = 8, H_BRACKET = 16, H_LINK = 32 };

/* extract._LINK_HINT_RE at a '.', '。' or ':' */
static int
link_hint_at(const Py_UCS4 *t, Py_ssize_t i)
{
    Py_UCS4 c = t[i];
    if (c == ':') {
        return t[i + 1] == '/' && t[i + 2] == '/';
    }
    Py_ssize_t g = 0;
    while (g < 4 && (t[i - 1 - g] == ' ' || t[i - 1 - g] == '\t')) {
        g++;
    }
    if (g <= 3 && is_label(t[i - 1 - g])) {
        Py_ssize_t k = 0;
        while (k < 4 && (t[i + 1 + k] == ' ' || t[i + 1 + k] == '\t')) {
            k++;
        }
        if (k <= 3 && is_letter(t[i + 1 + k])) {
            return 1;
        }
    }
    if (c == '.' && is_digit(t[i - 1])) {
        Py_ssize_t d = digit_run(t, i + 1, 4);
        return d >= 1 && d <= 3 && t[i + 1 + d] == '.' && is_digit(t[i + 2 + d]);
    }
    return 0;
}

static int
hints(const Py_UCS4 *t, Py_ssize_t n)
{
    int h = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = t[i];
        if (c < 128) {
            if (c >= '0' && c <= '9') {
                h |= H_DIGIT;
            }
            else if (c == '.' || c == ':') {
                if (c == '.') {
                    h |= H_DATE;
                }
                if (!(h & H_LINK) && link_hint_at(t, i)) {
                    h |= H_LINK;
                }
            }
            else if (c == '/' || c == '-') {
                h |= H_DATE;
            }
            else if (c == '(') {
                h |= H_PAREN;
            }
            else if (c == '[') {
                h |= H_BRACKET;
            }
            else if (c == 'r' && t[i + 1] == 'm' && t[i + 2] == 'b') {
                h |= H_AMOUNT;
            }
            continue;
        }
        switch (c) {
        case 0xa5: case 0xffe5: case 0x4e07: case 0x5143: case 0x5757:  /* ¥ ￥ 万 元 块 */
            h |= H_AMOUNT;
            break;
        case 0x4eba:  /* 人民币 */
            if (starts2(t, i + 1, 0x6c11, 0x5e01)) {
                h |= H_AMOUNT;
            }
            break;
        case 0x6708: case 0x5185:  /* 月 内 */
            h |= H_DATE;
            break;
        case 0x4eca: case 0x660e:  /* 今天 今日 明天 明日 */
            if (t[i + 1] == 0x5929 || t[i + 1] == 0x65e5) {
                h |= H_DATE;
            }
            break;
        case 0x540e:  /* 后天 */
            if (t[i + 1] == 0x5929) {
                h |= H_DATE;
            }
            break;
        case 0x672c:  /* 本周 */
            if (t[i + 1] == 0x5468) {
                h |= H_DATE;
            }
            break;
        case 0xff08:  /* （ */
            h |= H_PAREN;
            break;
        case 0x3010:  /* 【 */
            h |= H_BRACKET;
            break;
        case 0x3002:  /* 。 */
            if (!(h & H_LINK) && link_hint_at(t, i)) {
                h |= H_LINK;
            }
            break;
        default:
            if (is_digit(c)) {
                h |= H_DIGIT;
            }
        }
    }
    return h;
}

/* ---- the scanners: each returns the end of the match at p, or -1 ---------------------------------------- */

/* extract._CASE_NO_RE at p */
static Py_ssize_t
case_at(const Py_UCS4 *t, Py_ssize_t p)
{
    if (t[p] != '(' && t[p] != 0xff08) {
        return -1;
    }
    Py_ssize_t q = skip_space(t, p + 1);
    if (digit_run(t, q, 4) != 4) {
        return -1;
    }
    q = skip_space(t, q + 4);
    if (t[q] != ')' && t[q] != 0xff09) {
        return -1;
    }
    q = skip_space(t, q + 1);
    /* [CJK]{1,2} \d{0,4} [CJK]{1,4} \d{1,6} 号, each quantifier greedy, tried in the order `re` tries them */
    for (Py_ssize_t a = cjk_run(t, q, 2); a >= 1; a--) {
        Py_ssize_t q1 = q + a;
        for (Py_ssize_t b = digit_run(t, q1, 4); b >= 0; b--) {
            Py_ssize_t q2 = q1 + b;
            for (Py_ssize_t c = cjk_run(t, q2, 4); c >= 1; c--) {
                Py_ssize_t q3 = q2 + c;
                for (Py_ssize_t d = digit_run(t, q3, 6); d >= 1; d--) {
                    if (t[q3 + d] == 0x53f7) {  /* 号 */
                        return q3 + d + 1;
                    }
                }
            }
        }
    }
    return -1;
}

/* The unit after an amount's number and cents: \s*(万元|万|元|块). */
static Py_ssize_t
amount_unit(const Py_UCS4 *t, Py_ssize_t e, int *wan)
{
    e = skip_space(t, e);
    if (t[e] == 0x4e07) {  /* 万, 万元 */
        *wan = 1;
        return t[e + 1] == 0x5143 ? e + 2 : e + 1;
    }
    *wan = 0;
    return t[e] == 0x5143 || t[e] == 0x5757 ? e + 1 : -1;
}

/* (?:\.(\d{1,2}))? after a number ending at e: sets the cents span and returns the new end. */
static Py_ssize_t
amount_cents(const Py_UCS4 *t, Py_ssize_t e, match_t *m)
{
    m->c = m->d = e;
    if (t[e] == '.' && is_digit(t[e + 1])) {
        m->c = e + 1;
        m->d = e + (is_digit(t[e + 2]) ? 3 : 2);
    }
    return m->d;
}

/* \d{1,3}(?:,\d{3})+ at q: the end, or -1. Greedy or possessive, it takes the same digits when it matches. */
static Py_ssize_t
grouped_number(const Py_UCS4 *t, Py_ssize_t q)
{
    Py_ssize_t r = digit_run(t, q, 4);
    if (r < 1 || r > 3) {
        return -1;
    }
    Py_ssize_t e = q + r, groups = 0;
    while (t[e] == ',' && digit_run(t, e + 1, 3) == 3) {
        e += 4;
        groups++;
    }
    return groups ? e : -1;
}

/* extract._AMOUNT at p; fills m */
static Py_ssize_t
amount_at(const Py_UCS4 *t, Py_ssize_t p, match_t *m)
{
    Py_UCS4 c = t[p];
    Py_ssize_t q = -1, e;
    if (c == 0xa5 || c == 0xffe5) {
        q = p + 1;
    }
    else if (starts3(t, p, 'r', 'm', 'b') || starts3(t, p, 0x4eba, 0x6c11, 0x5e01)) {
        q = p + 3;
    }
    m->wan = 0;
    if (q >= 0) {
        q = skip_space(t, q);
        e = grouped_number(t, q);
        if (e < 0) {
            Py_ssize_t r = digit_run(t, q, PY_SSIZE_T_MAX);
            if (r == 0) {
                return -1;
            }
            e = q + r;
        }
        m->x = q;
        m->y = e;
        return amount_cents(t, e, m);
    }
    if (!is_digit(c) || is_digit(t[p - 1])) {
        return -1;
    }
    /* When the grouped number matches, \d++ would stop before its comma, where no unit stands: no second try. */
    e = grouped_number(t, p);
    if (e < 0) {
        e = p + digit_run(t, p, PY_SSIZE_T_MAX);
    }
    m->x = p;
    m->y = e;
    return amount_unit(t, amount_cents(t, e, m), &m->wan);
}

/* The body of the mobile number: 1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d) */
static Py_ssize_t
mobile_at(const Py_UCS4 *t, Py_ssize_t q)
{
    if (t[q] != '1' || !ascii_between(t[q + 1], '3', '9') || !is_digit(t[q + 2])) {
        return -1;
    }
    q += 3;
    for (int part = 0; part < 2; part++) {
        q += is_dash_space(t[q]);
        if (digit_run(t, q, 4) != 4) {
            return -1;
        }
        q += 4;
    }
    return is_digit(t[q]) ? -1 : q;
}

/* extract._PHONE at p */
static Py_ssize_t
phone_at(const Py_UCS4 *t, Py_ssize_t p)
{
    Py_UCS4 c = t[p];
    Py_ssize_t q, e, r;
    if (is_digit(t[p - 1])) {
        return -1;
    }
    /* (?:\+?86[- ]?|0086[- ]?)?1[3-9]... */
    q = p + (c == '+');
    if (starts2(t, q, '8', '6')) {
        q += 2;
        if ((e = mobile_at(t, q + is_dash_space(t[q]))) >= 0) {
            return e;
        }
    }
    if (c == '0' && starts3(t, p + 1, '0', '8', '6')) {
        q = p + 4;
        if ((e = mobile_at(t, q + is_dash_space(t[q]))) >= 0) {
            return e;
        }
    }
    if ((e = mobile_at(t, p)) >= 0) {
        return e;
    }
    /* (?:400|800)[- ]?\d{3}[- ]?\d{4}(?!\d) */
    if ((c == '4' || c == '8') && starts2(t, p + 1, '0', '0')) {
        q = p + 3;
        q += is_dash_space(t[q]);
        if (digit_run(t, q, 3) == 3) {
            q += 3;
            q += is_dash_space(t[q]);
            if (digit_run(t, q, 5) == 4) {
                return q + 4;
            }
        }
    }
    /* 0\d{2,3}-?\d{7,8}(?!\d) */
    if (c == '0') {
        r = digit_run(t, p + 1, 3);
        for (Py_ssize_t a = r; a >= 2; a--) {
            q = p + 1 + a;
            for (int dash = 1; dash >= 0; dash--) {
                if (dash && t[q] != '-') {
                    continue;
                }
                Py_ssize_t k = digit_run(t, q + dash, 9);
                if (k == 7 || k == 8) {
                    return q + dash + k;
                }
            }
        }
    }
    /* 9[56]\d{3}(?:\d{0,3})(?!\d) */
    if (c == '9' && (t[p + 1] == '5' || t[p + 1] == '6') && digit_run(t, p + 2, 3) == 3) {
        r = digit_run(t, p + 5, 4);
        if (r <= 3) {
            return p + 5 + r;
        }
    }
    /* 12\d{3}(?!\d) */
    if (starts2(t, p, '1', '2') && digit_run(t, p + 2, 4) == 3) {
        return p + 5;
    }
    return -1;
}

/* (?:月|(?<=\d{4}[/.-]\d)[/.-]|(?<=\d{4}[/.-]\d\d)[/.-]|/) at s: every branch takes one character */
static int
date_sep_at(const Py_UCS4 *t, Py_ssize_t s)
{
    Py_UCS4 c = t[s];
    if (c == 0x6708 || c == '/') {
        return 1;
    }
    if (c != '.' && c != '-') {
        return 0;
    }
    if (digit_run(t, s - 6, 4) == 4 && is_date_sep(t[s - 2]) && is_digit(t[s - 1])) {
        return 1;
    }
    return digit_run(t, s - 7, 4) == 4 && is_date_sep(t[s - 3]) && is_digit(t[s - 2]) && is_digit(t[s - 1]);
}

static inline int
date_end_ok(const Py_UCS4 *t, Py_ssize_t e)  /* (?![\d.]) */
{
    return !is_digit(t[e]) && t[e] != '.';
}

/* (0?[1-9]|1[0-2]) SEP (0?[1-9]|[12]\d|3[01])(?![\d.])[日号]? at q */
static Py_ssize_t
month_day_at(const Py_UCS4 *t, Py_ssize_t q)
{
    Py_ssize_t months[2], nmonths = 0;
    if (t[q] == '0') {
        if (ascii_between(t[q + 1], '1', '9')) {
            months[nmonths++] = 2;
        }
    }
    else if (ascii_between(t[q], '1', '9')) {
        months[nmonths++] = 1;
    }
    if (t[q] == '1' && ascii_between(t[q + 1], '0', '2')) {
        months[nmonths++] = 2;
    }
    for (Py_ssize_t i = 0; i < nmonths; i++) {
        Py_ssize_t s = q + months[i];
        if (!date_sep_at(t, s)) {
            continue;
        }
        Py_ssize_t d = s + 1, e = -1;
        if (t[d] == '0') {
            if (ascii_between(t[d + 1], '1', '9') && date_end_ok(t, d + 2)) {
                e = d + 2;
            }
        }
        else if (ascii_between(t[d], '1', '9') && date_end_ok(t, d + 1)) {
            e = d + 1;
        }
        if (e < 0 && (t[d] == '1' || t[d] == '2') && is_digit(t[d + 1]) && date_end_ok(t, d + 2)) {
            e = d + 2;
        }
        if (e < 0 && t[d] == '3' && (t[d + 1] == '0' || t[d + 1] == '1') && date_end_ok(t, d + 2)) {
            e = d + 2;
        }
        if (e >= 0) {
            return t[e] == 0x65e5 || t[e] == 0x53f7 ? e + 1 : e;  /* 日 号 */
        }
    }
    return -1;
}

/* extract._DATE at p */
static Py_ssize_t
date_at(const Py_UCS4 *t, Py_ssize_t p)
{
    Py_UCS4 c = t[p], next = t[p + 1];
    Py_ssize_t e;
    if (is_digit(c)) {
        if (!is_digit(t[p - 1]) && t[p - 1] != '.') {
            if (digit_run(t, p, 4) == 4) {
                Py_UCS4 sep = t[p + 4];
                if ((sep == 0x5e74 || is_date_sep(sep)) && (e = month_day_at(t, p + 5)) >= 0) {  /* 年 */
                    return e;
                }
            }
            if ((e = month_day_at(t, p)) >= 0) {
                return e;
            }
        }
        /* \d{1,2}(小时内|天内|日内): with two digits, one would leave a digit before the word */
        Py_ssize_t q = p + (is_digit(next) ? 2 : 1);
        if (starts3(t, q, 0x5c0f, 0x65f6, 0x5185)) {
            return q + 3;
        }
        if ((t[q] == 0x5929 || t[q] == 0x65e5) && t[q + 1] == 0x5185) {
            return q + 2;
        }
        return -1;
    }
    /* 今天 今日 明天 明日 后天 本周 */
    if (((c == 0x4eca || c == 0x660e) && (next == 0x5929 || next == 0x65e5)) || (c == 0x540e && next == 0x5929) ||
        (c == 0x672c && next == 0x5468)) {
        return p + 2;
    }
    return -1;
}

/* extract._SIGNATURE_RE at p (bounded by n: the sentinel would pass for a character of the class) */
static Py_ssize_t
signature_at(const Py_UCS4 *t, Py_ssize_t n, Py_ssize_t p, match_t *m)
{
    Py_UCS4 open = t[p], close;
    if (open == 0x3010) {
        close = 0x3011;
    }
    else if (open == '[') {
        close = ']';
    }
    else {
        return -1;
    }
    Py_ssize_t k = 0;
    while (k <= 24 && p + 1 + k < n) {
        Py_UCS4 c = t[p + 1 + k];
        if (c == open || c == close || c == '\n') {
            break;
        }
        k++;
    }
    if (k < 1 || k > 24 || p + 1 + k >= n || t[p + 1 + k] != close) {
        return -1;
    }
    m->x = p + 1;
    m->y = p + 1 + k;
    while (m->x < m->y && is_space(t[m->x])) {
        m->x++;
    }
    while (m->y > m->x && is_space(t[m->y - 1])) {
        m->y--;
    }
    return p + 2 + k;
}

enum { K_CASE, K_AMOUNT, K_PHONE, K_DATE, K_SIGNATURE };

/* The characters a match of each kind starts with (the first class of the searched expressions) */
static inline int
may_start(int kind, Py_UCS4 c)
{
    switch (kind) {
    case K_CASE: return c == '(' || c == 0xff08;
    case K_AMOUNT: return c == 0xa5 || c == 0xffe5 || c == 'r' || c == 0x4eba || is_digit(c);
    case K_PHONE: return c == '+' || c == '0' || c == '1' || c == '4' || c == '5' || c == '8' || c == '9';
    case K_DATE: return is_digit(c) || c == 0x4eca || c == 0x660e || c == 0x540e || c == 0x672c;
    default: return c == 0x3010 || c == '[';
    }
}

#endif
