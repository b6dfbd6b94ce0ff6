/* smsguard._cengine: what engine.c (construction, verdict, module) and engine_rules.c (evaluate) share. */
#ifndef SMSGUARD_NATIVE_ENGINE_H
#define SMSGUARD_NATIVE_ENGINE_H

#include "common.h"

#define N_FACTS 4  /* the prefilter facts: amounts, signatures, links, sender */

/* the fields of message_rec and ntext_rec (engine.c) */
enum { SG_MESSAGE_TEXT, SG_MESSAGE_SENDER };
enum { SG_NTEXT_TEXT, SG_NTEXT_STARTS, SG_NTEXT_ENDS };
#define SG_CONTEXT_FAILURES 11  /* the index of "failures" in context_fields (engine.c) */

typedef struct {
    PyObject *evaluate, *id, *category, *weight, *title, *pack;
    int enabled;
} RuleInfo;

typedef struct {
    PyObject *id, *risk, *title, *advice;
    PyObject *own_advice;       /* tuple(dict.fromkeys(advice)) when advice is a tuple of str; else NULL */
    double threshold, priority;
    int is_fallback;
} CategoryInfo;

typedef struct {
    PyObject_HEAD
    int ready;                  /* built, and not cleared by the garbage collector */
    Py_ssize_t nrules;
    RuleInfo *rules;
    int planned;                /* the pack has an EvaluationPlan; otherwise every rule runs */
    Py_ssize_t nalways;
    Py_ssize_t *always;
    PyObject *literal;          /* a copy of plan.literal: literal id -> tuple of rule indices */
    PyObject **by_literal;      /* the same by id (borrowed from ``literal``), when its keys are ints in
                                   [0, SG_MAX_LITERAL); NULL otherwise */
    Py_ssize_t nby_literal;
    PyObject *signal;           /* a copy of plan.signal */
    int has_fact;
    PyObject *fact[N_FACTS];    /* plan.fact of each fact; NULL when absent */
    PyObject *tokenizer;
    int fast_scoring;           /* the categories have float thresholds and priorities and unique str ids */
    int plain_hits;             /* every enabled rule has a str id and category and a float weight, not NaN:
                                   ``verdict`` takes every list of the hits ``evaluate`` makes */
    PyObject *zero_scores;      /* {category id: 0.0} in declaration order, copied for each verdict */
    Py_ssize_t ncategories;
    CategoryInfo *categories;
    PyObject *category_index;   /* id -> index into ``categories`` */
    Py_ssize_t fallback_index;  /* -1 when no category is the fallback */
    PyObject *fallback, *none_risk, *advice_of, *version;
    PyObject *normalize_sender, *hit_parts, *rule_aborted, *fsum;
    sg_record context_rec, hit_rec, verdict_rec, judgement_rec;
    sg_record signal_rec;       /* Signal: its name */
    sg_record message_rec;      /* Message: text, sender */
    sg_record ntext_rec;        /* NormalizedText: text, starts, ends */
    sg_record features_rec;     /* Features: amounts, signatures, links */
} Evaluator;

static inline int
sg_engine_ready(const Evaluator *self)
{
    if (!self->ready) {
        PyErr_SetString(PyExc_RuntimeError, "this Evaluator was cleared");
    }
    return self->ready;
}

/* The attributes ``names`` (NULL-terminated) of ``obj`` into ``out`` as new references; -1 with an exception. */
static inline int
sg_get_attrs(PyObject *obj, const char *const *names, PyObject **out)
{
    for (Py_ssize_t i = 0; names[i] != NULL; i++) {
        if ((out[i] = PyObject_GetAttrString(obj, names[i])) == NULL) {
            while (--i >= 0) {
                Py_CLEAR(out[i]);
            }
            return -1;
        }
    }
    return 0;
}

extern PyObject *sg_str_text;  /* "text", interned (engine_rules.c) */

/* engine_rules.c: load the rules and the plan (-1 with an exception; a ValueError for a plan it does not take) */
int sg_engine_load_rules(Evaluator *self, PyObject *rules, PyObject *plan, PyObject *fact_names);
int sg_engine_rules_init(void);
PyObject *sg_engine_evaluate(Evaluator *self, PyObject *const *args, Py_ssize_t nargs);
/* evaluate's work: the rule results and the hits, as new lists; 0, or -1 with an exception */
int sg_engine_run(Evaluator *self, PyObject *message, PyObject *ntext, PyObject *features, PyObject *signals,
                  PyObject *failures, PyObject *found, PyObject **results_out, PyObject **hits_out);

/* engine_verdict.c: Engine._verdict for the list ``hits`` (sorted in place when ``in_place``); None (a new
 * reference) when a hit is not of the exact Hit class with str rule and category and a float weight, not NaN */
PyObject *sg_engine_make_verdict(Evaluator *self, PyObject *hits, PyObject *signals, PyObject *failures,
                                 int in_place);

/* engine_hits.c: the Hit of a rule whose condition gave ``result`` (NULL with an exception) */
PyObject *sg_engine_make_hit(Evaluator *self, const RuleInfo *rule, PyObject *result, PyObject *original);

#endif
