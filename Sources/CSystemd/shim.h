#ifndef ORKESTRON_CSYSTEMD_SHIM_H
#define ORKESTRON_CSYSTEMD_SHIM_H

/* libsystemd, as the daemon uses it: sd-daemon (notify, watchdog, socket activation) and sd-journal (sending).
 *
 * Without this define, sd-journal.h turns sd_journal_sendv() into a macro that adds the C caller's own
 * CODE_FILE/CODE_LINE/CODE_FUNC; the Swift log handler passes the Swift caller's location itself. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1

#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

/* sd_journal_send() and sd_journal_print() are variadic and cannot be called from Swift. This fixed-arity
 * wrapper is the fallback for a message that could not be sent as fields (sd_journal_sendv failing, e.g. on
 * an over-long field list): the text still reaches the journal, at its priority. */
static inline int csystemd_journal_print(int priority, const char *message) {
    return sd_journal_print(priority, "%s", message);
}

#endif
