/* Shared by the two sources of smsguard_plugins._curgency: urgency.c (the detector's body and the module) and
 * urgency_bind.c (bind()'s state). See urgency.c.
 */
#ifndef SMSGUARD_URGENCY_H
#define SMSGUARD_URGENCY_H

#include "detector.h"
#include "specificity_words.h"

#define SMALL 16
#define MAX_WEIGHT_DIGITS 9

/* the signals, in the order of _SPECS */
enum { SIG_LEVEL, SIG_DEADLINE, SIG_SHORT, SIG_FINAL, N_SIGNALS };
enum { G_DAY, G_UNIT, G_END };
enum { KW_DEADLINE, KW_SHORT, KW_LEVEL, N_KWNAMES };

typedef struct {
    PyObject *reference, *read, *make_signal, *number_value;
    PyObject *within, *by_day;              /* the patterns' bound search methods */
    PyObject *match_span;                   /* re.Match.span */
    PyObject *names[N_SIGNALS];
    PyObject *minutes, *hours, *final, *short_hours, *short_days;
    PyObject *lead;                         /* _WITHIN_LEAD */
    PyObject *marks[2];                     /* _WITHIN_MARK, _BEFORE_MARK */
    PyObject *kwnames[N_KWNAMES];
    long long max_level, short_weight, weight;
    PyTypeObject *hit_type, *entry_type;
    word_table words;
} state;

/* the state's clearing and bind()'s filling of it (see dt_bind_state) */
void ur_state_clear(void *p);
int ur_bind_state(void *p, PyObject *reference, PyObject *tables);

#endif
