#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "CSupport.h"

static char *explanation;
static size_t explanation_length;
static struct sigaction previous;

static void explain(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    (void)!write(2, explanation, explanation_length);
    sigaction(signal_number, &previous, NULL);
    // A fault comes again when the instruction is retried, to the handler before;
    // a SIGBUS sent by kill does not, so it is sent again.
    if (info->si_code <= 0) raise(signal_number);
}

void jobsched_explain_bus_errors(const char *message) {
    free(explanation);
    explanation = strdup(message);
    explanation_length = strlen(explanation);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = explain;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    struct sigaction installed;
    sigaction(SIGBUS, NULL, &installed);
    if (installed.sa_sigaction != explain) previous = installed;
    sigaction(SIGBUS, &action, NULL);
}
