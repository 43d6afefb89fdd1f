/* cli_server — `beishen serve` (the reviewers' workstation), `beishen user`
 * (accounts) and `beishen audit` (the audit log).  Parses options, reads
 * passwords from the terminal or stdin, and calls server.c, auth.c and
 * audit.c. */
#include "cli/cli.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/guard.h"
#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum {
    OPT_DB = 1000, OPT_LISTEN, OPT_THREADS, OPT_TIMEOUT, OPT_SESSION, OPT_ALLOW_REMOTE,
    OPT_CONNECTIONS, OPT_ROLE, OPT_DEPARTMENT, OPT_UNIVERSITY, OPT_USER, OPT_APPLICATION,
    OPT_SINCE, OPT_LIMIT, OPT_JSON, OPT_TIMING, OPT_TLS_CERT, OPT_TLS_KEY, OPT_SECURE_COOKIES,
    OPT_PER_IP, OPT_REQUEST_TIMEOUT, OPT_TRUSTED_PROXY, OPT_JOURNAL_MAX, OPT_HELP,
};

/* ---- serve ---------------------------------------------------------------- */

int cli_serve(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen serve [--db FILE] [--listen HOST:PORT] [--threads N]\n"
        "                     [--connections N] [--connections-per-ip N] [--timeout SECONDS]\n"
        "                     [--request-timeout SECONDS] [--trusted-proxy ADDRESS]...\n"
        "                     [--session-seconds N] [--tls-cert FILE --tls-key FILE]\n"
        "                     [--allow-remote] [--secure-cookies] [--audit-journal-max KIB]\n"
        "                     [--timing]\n"
        "\n"
        "Runs the reviewers' workstation: the browser UI and its JSON API on\n"
        "127.0.0.1:8080 unless --listen says otherwise (port 0 picks a free port;\n"
        "the address is printed).  With --tls-cert and --tls-key (PEM files: the\n"
        "certificate chain and its unencrypted private key) it speaks HTTPS only\n"
        "(TLS 1.2 and 1.3), its session cookies are Secure, and it may listen on\n"
        "any address.  Without TLS only loopback addresses are accepted, unless\n"
        "--allow-remote is given for a TLS reverse proxy on another host;\n"
        "--secure-cookies marks the session cookie Secure behind such a proxy.\n"
        "--timeout is the idle time after which a connection is closed (30 s),\n"
        "--request-timeout the time a client has to send a whole request, from its\n"
        "connection's start or its previous answer (10 s), --connections the open\n"
        "connections at once (256; when nearly all are taken, the one waiting\n"
        "longest for its request is closed to make room), --connections-per-ip\n"
        "those one client address may hold (32; 0: no cap), --session-seconds a\n"
        "login's lifetime (8 hours).  --trusted-proxy (repeatable) names a proxy in\n"
        "front of the server: its X-Forwarded-For says who the client is (for\n"
        "failed-login limits and the audit log), and it has no per-address cap;\n"
        "any other client's X-Forwarded-For is ignored.  --audit-journal-max is how\n"
        "many KiB of audit rows may wait for the database (65536): past it, while\n"
        "the database stays locked, requests that hand out data answer 503.\n"
        "SIGINT or SIGTERM stop it.\n"
        "Accounts: beishen user.  man beishen-serve: systemd, TLS and reverse proxy\n"
        "set-up.\n"
        "--timing times every request inside the server and prints the\n"
        "percentiles when it stops (for benchmarks).\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"connections", required_argument, NULL, OPT_CONNECTIONS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"session-seconds", required_argument, NULL, OPT_SESSION},
        {"connections-per-ip", required_argument, NULL, OPT_PER_IP},
        {"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
        {"trusted-proxy", required_argument, NULL, OPT_TRUSTED_PROXY},
        {"allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE},
        {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
        {"tls-key", required_argument, NULL, OPT_TLS_KEY},
        {"secure-cookies", no_argument, NULL, OPT_SECURE_COOKIES},
        {"timing", no_argument, NULL, OPT_TIMING},
        {"audit-journal-max", required_argument, NULL, OPT_JOURNAL_MAX},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    struct server_options o;
    server_default_options(&o);
    const char *proxies[GUARD_TRUSTED_MAX];
    o.trusted_proxies = proxies;
    const char *db = NULL;
    long value;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_LISTEN: o.listen = optarg; break;
        case OPT_THREADS:
            if (!text_parse_integer(optarg, 1, 256, &value))
                return cli_usage_error("serve", "--threads is 1 to 256");
            o.threads = (unsigned)value;
            break;
        case OPT_CONNECTIONS:
            if (!text_parse_integer(optarg, 1, 65536, &value))
                return cli_usage_error("serve", "--connections is 1 to 65536");
            o.connection_limit = (unsigned)value;
            break;
        case OPT_TIMEOUT:
            if (!text_parse_integer(optarg, 1, 3600, &value))
                return cli_usage_error("serve", "--timeout is 1 to 3600 seconds");
            o.connection_timeout = (unsigned)value;
            break;
        case OPT_SESSION:
            if (!text_parse_integer(optarg, 1, 7 * 24 * 3600, &value))
                return cli_usage_error("serve", "--session-seconds is 1 to 604800");
            o.session_seconds = (int)value;
            break;
        case OPT_PER_IP:
            if (!text_parse_integer(optarg, 0, 65536, &value))
                return cli_usage_error("serve", "--connections-per-ip is 0 to 65536");
            o.per_address_limit = (unsigned)value;
            break;
        case OPT_REQUEST_TIMEOUT:
            if (!text_parse_integer(optarg, 1, 3600, &value))
                return cli_usage_error("serve", "--request-timeout is 1 to 3600 seconds");
            o.request_timeout = (unsigned)value;
            break;
        case OPT_TRUSTED_PROXY:
            if (o.trusted_proxy_count == GUARD_TRUSTED_MAX)
                return cli_usage_error("serve", "at most %d --trusted-proxy", GUARD_TRUSTED_MAX);
            {
                unsigned char address[16];
                if (inet_pton(AF_INET, optarg, address) != 1 && inet_pton(AF_INET6, optarg, address) != 1)
                    return cli_usage_error("serve", "--trusted-proxy '%s' is not an IPv4 or IPv6 address",
                                           optarg);
            }
            proxies[o.trusted_proxy_count++] = optarg;
            break;
        case OPT_JOURNAL_MAX:
            if (!text_parse_integer(optarg, 16, 16 * 1024 * 1024, &value))
                return cli_usage_error("serve", "--audit-journal-max is 16 to 16777216 KiB");
            o.journal_cap = (size_t)value * 1024;
            break;
        case OPT_ALLOW_REMOTE: o.allow_remote = true; break;
        case OPT_TLS_CERT: o.tls_cert = optarg; break;
        case OPT_TLS_KEY: o.tls_key = optarg; break;
        case OPT_SECURE_COOKIES: o.secure_cookies = true; break;
        case OPT_TIMING: o.timing = true; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("serve", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    if (!o.tls_cert != !o.tls_key)
        return cli_usage_error("serve", "--tls-cert and --tls-key go together");
    o.db_path = cli_database_path(db);

    /* SIGINT and SIGTERM are taken by sigwait below; blocked before any
     * thread starts, so that every thread inherits the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct server *server;
    struct error err;
    if (server_start(&o, &server, &err) != 0) {
        fprintf(stderr, "beishen serve: %s\n", err.message);
        return EXIT_FAILED;
    }
    if (o.allow_remote && !o.tls_cert)
        fprintf(stderr, "beishen serve: warning: no TLS; session cookies travel in clear "
                        "unless a TLS proxy is in front\n");
    if (o.allow_remote && o.trusted_proxy_count == 0)
        fprintf(stderr, "beishen serve: warning: no --trusted-proxy: behind a proxy every client "
                        "has the proxy's address (one per-address connection cap, one failed-login "
                        "count for all)\n");
    printf("beishen serve: listening on %s  (database %s)\n", server_url(server), o.db_path);
    printf("beishen serve: open %s in a browser; Ctrl-C stops the server\n", server_url(server));
    fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    printf("beishen serve: %s received, stopping\n", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    fflush(stdout);
    server_stop(server);
    printf("beishen serve: stopped\n");
    return EXIT_OK;
}

/* ---- user --------------------------------------------------------------------- */

/* One line from stdin, or from the terminal without echo (asked twice).
 * The buffer holds AUTH_PASSWORD_MAX bytes; a longer line is refused. */
static int read_password(char *out, size_t size, bool confirm)
{
    bool terminal = isatty(STDIN_FILENO);
    for (int round = 0; round < (terminal && confirm ? 2 : 1); round++) {
        char line[AUTH_PASSWORD_MAX + 3];
        struct termios saved, quiet;
        if (terminal) {
            fputs(round == 0 ? "Password: " : "Again: ", stderr);
            fflush(stderr);
            tcgetattr(STDIN_FILENO, &saved);
            quiet = saved;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *got = fgets(line, sizeof line, stdin);
        if (terminal) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
            fputc('\n', stderr);
        }
        if (!got) {
            fprintf(stderr, "beishen user: no password given\n");
            return -1;
        }
        size_t length = strcspn(line, "\r\n");
        if (length == strlen(line) && !feof(stdin)) {
            fprintf(stderr, "beishen user: the password is longer than %d bytes\n", AUTH_PASSWORD_MAX);
            return -1;
        }
        line[length] = '\0';
        if (round == 0) {
            snprintf(out, size, "%s", line);
        } else if (strcmp(out, line) != 0) {
            fprintf(stderr, "beishen user: the passwords differ\n");
            return -1;
        }
        memset(line, 0, sizeof line);
    }
    return 0;
}

static void print_users(const json_t *list)
{
    size_t i, j;
    const json_t *user, *code;
    json_array_foreach(list, i, user) {
        printf("%-20s %-9s %-8s ", json_string_value(json_object_get(user, "name")),
               json_string_value(json_object_get(user, "role")),
               json_is_string(json_object_get(user, "university"))
                   ? json_string_value(json_object_get(user, "university")) : "-");
        json_array_foreach(json_object_get(user, "departments"), j, code)
            printf("%s%s", j ? "," : "", json_string_value(code));
        json_int_t failures = json_integer_value(json_object_get(user, "failed_logins"));
        const char *until = json_string_value(json_object_get(user, "locked_until"));
        if (until)
            printf("  locked until %s (%" JSON_INTEGER_FORMAT " failed login%s)", until, failures,
                   failures == 1 ? "" : "s");
        else if (failures)
            printf("  %" JSON_INTEGER_FORMAT " failed login%s", failures, failures == 1 ? "" : "s");
        printf("\n");
    }
}

/* What `beishen user` was asked to do. */
struct user_request {
    const char *name;
    struct auth_account account;          /* add: role, university, departments */
    bool json;
    long cleared;                         /* unlock: failed logins forgotten */
};

static int user_list(struct store *store, struct user_request *request, struct error *err)
{
    struct auth_policy policy;
    auth_default_policy(&policy);                /* the server's limits */
    json_t *list = auth_user_list(store, &policy, err);
    if (!list)
        return -1;
    if (request->json)
        cli_print_json(list);
    else
        print_users(list);
    json_decref(list);
    return 0;
}

/* An account change and its audit row, committed together: a change the
 * log cannot record does not happen. */
static int audited(struct store *store, const char *action, const char *detail,
                   int (*change)(struct store *, struct user_request *, struct error *),
                   struct user_request *request, struct error *err)
{
    struct audit_entry entry = {"(command line)", action, NULL, detail, NULL};
    if (store_begin(store, err) != 0)
        return -1;
    if (change(store, request, err) == 0 && audit_record(store, &entry, err) == 0 &&
        store_commit(store, err) == 0)
        return 0;
    store_rollback(store);
    return -1;
}

static int remove_account(struct store *store, struct user_request *request, struct error *err)
{
    bool found = false;
    if (auth_user_remove(store, request->name, &found, err) != 0)
        return -1;
    return found ? 0 : error_set(err, ERROR_NOT_FOUND, "no such user '%s'", request->name);
}

static int set_password(struct store *store, struct user_request *request, struct error *err)
{
    return auth_user_set_password(store, request->name, request->account.password, err);
}

static int add_account(struct store *store, struct user_request *request, struct error *err)
{
    return auth_user_add(store, &request->account, err);
}

static int unlock_account(struct store *store, struct user_request *request, struct error *err)
{
    bool found = false;
    if (auth_unlock(store, request->name, &found, &request->cleared, err) != 0)
        return -1;
    return found ? 0 : error_set(err, ERROR_NOT_FOUND, "no such user '%s'", request->name);
}

static int user_unlock(struct store *store, struct user_request *request, struct error *err)
{
    if (audited(store, "user_unlock", request->name, unlock_account, request, err) != 0)
        return -1;
    printf("unlocked %s (%ld failed login%s forgotten)\n", request->name, request->cleared,
           request->cleared == 1 ? "" : "s");
    return 0;
}

static int user_remove(struct store *store, struct user_request *request, struct error *err)
{
    if (audited(store, "user_remove", request->name, remove_account, request, err) != 0)
        return -1;
    printf("removed %s\n", request->name);
    return 0;
}

static int user_passwd(struct store *store, struct user_request *request, struct error *err)
{
    if (audited(store, "user_passwd", request->name, set_password, request, err) != 0)
        return -1;
    printf("password of %s set\n", request->name);
    return 0;
}

static int user_add(struct store *store, struct user_request *request, struct error *err)
{
    const char *role = auth_role_name(request->account.role);
    char detail[96];
    snprintf(detail, sizeof detail, "%s %s", request->name, role);
    if (audited(store, "user_add", detail, add_account, request, err) != 0)
        return -1;
    printf("added %s (%s)\n", request->name, role);
    return 0;
}

static const struct {
    const char *name;
    bool takes_name, takes_password;
    int (*run)(struct store *, struct user_request *, struct error *);
} user_actions[] = {
    {"add", true, true, user_add},
    {"passwd", true, true, user_passwd},
    {"remove", true, false, user_remove},
    {"unlock", true, false, user_unlock},
    {"list", false, false, user_list},
};

int cli_user(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen user add NAME --role reviewer|office|admin [--department CODE]...\n"
        "                        [--university CODE] [--db FILE]\n"
        "       beishen user passwd NAME [--db FILE]\n"
        "       beishen user remove NAME [--db FILE]\n"
        "       beishen user unlock NAME [--db FILE]\n"
        "       beishen user list [--json] [--db FILE]\n"
        "\n"
        "Workstation accounts.  A reviewer sees the departments given with\n"
        "--department (at least one); office sees every department of the\n"
        "university given with --university; admin manages accounts and reads\n"
        "the audit log.  add and passwd read the password from the terminal\n"
        "(asked twice, not echoed) or as one line from stdin; at least 8\n"
        "characters.  It is stored only as an Argon2id hash.  passwd and remove\n"
        "end the account's sessions.  unlock ends the account's login lockouts\n"
        "at once (its failed logins, from every client, are forgotten); list\n"
        "shows an account's recent failed logins and until when it is locked.  Every\n"
        "change is written to the audit log in the same transaction: one that\n"
        "cannot be recorded is not made.\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"role", required_argument, NULL, OPT_ROLE},
        {"department", required_argument, NULL, OPT_DEPARTMENT},
        {"university", required_argument, NULL, OPT_UNIVERSITY},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *role = NULL;
    const char *departments[AUTH_MAX_DEPARTMENTS];
    struct user_request request = {.account.departments = departments};
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_ROLE: role = optarg; break;
        case OPT_DEPARTMENT:
            if (request.account.department_count == AUTH_MAX_DEPARTMENTS)
                return cli_usage_error("user", "at most %d departments", AUTH_MAX_DEPARTMENTS);
            departments[request.account.department_count++] = optarg;
            break;
        case OPT_UNIVERSITY: request.account.university = optarg; break;
        case OPT_JSON: request.json = true; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("user", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("user", "give add, passwd, remove, unlock or list");
    const char *action = argv[optind];
    size_t chosen = 0, count = sizeof user_actions / sizeof user_actions[0];
    while (chosen < count && strcmp(user_actions[chosen].name, action) != 0)
        chosen++;
    if (chosen == count)
        return cli_usage_error("user", "unknown action '%s' (add, passwd, remove, unlock, list)", action);
    bool takes_name = user_actions[chosen].takes_name, adding = user_actions[chosen].run == user_add;
    if (argc - optind != (takes_name ? 2 : 1))
        return cli_usage_error("user", takes_name ? "give exactly one NAME" : "list takes no NAME");
    request.name = takes_name ? argv[optind + 1] : NULL;
    request.account.name = request.name;
    if (!adding && (role || request.account.university || request.account.department_count))
        return cli_usage_error("user", "--role, --department and --university go with add");
    int role_value = 0;
    if (adding && (role_value = auth_role_parse(role)) < 0)
        return cli_usage_error("user", "--role is reviewer, office or admin");
    request.account.role = (enum auth_role)role_value;
    if (request.name && !auth_valid_user_name(request.name))
        return cli_usage_error("user", "a user name is 1 to %d letters, digits, '.', '_' or '-'",
                               AUTH_NAME_MAX);

    struct error err;
    if (auth_init(&err) != 0) {
        fprintf(stderr, "beishen user: %s\n", err.message);
        return EXIT_FAILED;
    }
    struct store *store;
    if (cli_open_writable(db, &store) != 0)
        return EXIT_FAILED;
    int rc = EXIT_OK;
    char password[AUTH_PASSWORD_MAX + 1] = "";
    if (user_actions[chosen].takes_password && read_password(password, sizeof password, true) != 0) {
        rc = EXIT_FAILED;
    } else {
        request.account.password = password;
        if (user_actions[chosen].run(store, &request, &err) != 0) {
            fprintf(stderr, "beishen user: %s\n", err.message);
            rc = EXIT_FAILED;
        }
    }
    memset(password, 0, sizeof password);
    store_close(store);
    return rc;
}

/* ---- audit ------------------------------------------------------------------------ */

static const char *text_or_dash(const json_t *row, const char *key)
{
    const char *text = json_string_value(json_object_get(row, key));
    return text ? text : "-";
}

int cli_audit(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen audit [--db FILE] [--user NAME] [--application ID]\n"
        "                     [--since YYYY-MM-DD[THH:MM[:SS]]] [--limit N] [--json]\n"
        "\n"
        "The workstation's audit log, oldest first: every view of an application's\n"
        "data, file download, PDF, login (and failed login) and account change,\n"
        "with the account, the application (<department>-<application_no>) and the\n"
        "time (UTC).  --limit keeps the newest N rows.  A running server moves its\n"
        "rows from its journal (<db>.audit-journal.*) into the log every quarter second (GET\n"
        "/api/audit waits for them); a server that was killed imports them at its\n"
        "next start.\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"user", required_argument, NULL, OPT_USER},
        {"application", required_argument, NULL, OPT_APPLICATION},
        {"since", required_argument, NULL, OPT_SINCE},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *db = NULL;
    struct audit_filter filter = {0};
    bool json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_USER: filter.user = optarg; break;
        case OPT_APPLICATION: filter.application = optarg; break;
        case OPT_SINCE: filter.since = optarg; break;
        case OPT_LIMIT:
            if (!text_parse_integer(optarg, 1, 100000000, &filter.limit))
                return cli_usage_error("audit", "--limit is a positive number");
            break;
        case OPT_JSON: json = true; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("audit", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
    struct error err;
    char since[TIMESTAMP_SIZE];
    if (filter.since && timestamp_parse_filter(filter.since, since, &err) != 0)
        return cli_usage_error("audit", "--since %s", err.message);
    struct store *store;
    if (cli_open_readonly(db, &store) != 0)
        return EXIT_FAILED;
    json_t *list = audit_list(store, &filter, &err);
    store_close(store);
    if (!list) {
        fprintf(stderr, "beishen audit: %s\n", err.message);
        return EXIT_FAILED;
    }
    if (json) {
        cli_print_json(list);
    } else {
        size_t i;
        const json_t *row;
        json_array_foreach(list, i, row)
            printf("%s  %-16s %-16s %-16s %s\n", text_or_dash(row, "at"), text_or_dash(row, "user"),
                   text_or_dash(row, "action"), text_or_dash(row, "application"),
                   text_or_dash(row, "detail"));
        printf("%zu rows\n", json_array_size(list));
    }
    json_decref(list);
    return EXIT_OK;
}
