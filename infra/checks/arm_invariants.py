#!/usr/bin/env python3
"""Invariants of the compiled ARM template (bicep build infra/main.bicep) that a deployment relies on.

Usage: arm_invariants.py MAIN_JSON MAIN_PARAMETERS_JSON MANAGED_PARAMETERS_JSON
Prints one line per check, then runs every check again on deliberately broken copies of the JSON (each must
fail: a check that cannot fail proves nothing). Exit 1 if a check fails or a self-test mutation is not caught.
"""
import copy
import json
import re
import sys

# ---------- a small evaluator for the ARM expressions the checks need to see through ----------


class Opaque(str):
    """A value the evaluator cannot know (parameters, reference(), copyIndex(), ...): kept as its text."""


def tokenize(expr):
    tokens, i = [], 0
    while i < len(expr):
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "'":
            j, buf = i + 1, []
            while True:
                if expr[j] == "'" and j + 1 < len(expr) and expr[j + 1] == "'":
                    buf.append("'")
                    j += 2
                elif expr[j] == "'":
                    break
                else:
                    buf.append(expr[j])
                    j += 1
            tokens.append(("str", "".join(buf)))
            i = j + 1
        elif c.isdigit() or (c == "-" and expr[i + 1].isdigit()):
            m = re.match(r"-?\d+", expr[i:])
            tokens.append(("num", int(m.group())))
            i += len(m.group())
        elif c.isalpha() or c == "_":
            m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", expr[i:])
            tokens.append(("id", m.group()))
            i += len(m.group())
        else:
            tokens.append(("op", c))
            i += 1
    return tokens


class Evaluator:
    def __init__(self, template):
        self.variables = template.get("variables", {})
        self.depth = 0

    def value(self, v):
        """Evaluates a template value: strings starting with [ are expressions; containers recursively."""
        if isinstance(v, str):
            if v.startswith("[") and not v.startswith("[[") and v.endswith("]"):
                try:
                    self.tokens, self.pos = tokenize(v[1:-1]), 0
                    return self.expr()
                except (IndexError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
                    return Opaque(v)
            return v
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        return v

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, kind=None, text=None):
        tok = self.tokens[self.pos]
        if (kind and tok[0] != kind) or (text and tok[1] != text):
            raise ValueError(f"unexpected {tok}")
        self.pos += 1
        return tok

    def expr(self):
        kind, text = self.take()
        if kind in ("str", "num"):
            result = text
        elif kind == "id" and text in ("true", "false") and self.peek() != ("op", "("):
            result = text == "true"
        elif kind == "id":
            self.take("op", "(")
            args, raw_start = [], self.pos
            while self.peek() != ("op", ")"):
                args.append(self.expr())
                if self.peek() == ("op", ","):
                    self.take()
            self.take("op", ")")
            result = self.call(text, args)
        else:
            raise ValueError(f"unexpected {text}")
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                name = self.take("id")[1]
                result = result[name] if isinstance(result, dict) else Opaque(f"{result}.{name}")
            else:
                index = self.expr()
                self.take("op", "]")
                if isinstance(result, (list, dict)) and not isinstance(index, Opaque):
                    result = result[index]
                else:
                    result = Opaque(f"{result}[{index}]")
        return result

    def call(self, name, args):
        if name == "variables":
            self.depth += 1
            if self.depth > 20:
                raise RecursionError
            try:
                saved = (self.tokens, self.pos)
                if args[0] not in self.variables:
                    # A for-expression variable: one element, evaluated with an unknown copyIndex().
                    loop = next(c for c in self.variables.get("copy", []) if c["name"] == args[0])
                    value = [self.value(loop["input"])]
                    self.tokens, self.pos = saved
                    return value
                value = self.value(self.variables[args[0]])
                self.tokens, self.pos = saved
                return value
            finally:
                self.depth -= 1
        if name == "parameters":
            return Opaque(f"<param:{args[0]}>")
        if name == "createArray":
            return list(args)
        if name == "createObject":
            return {args[i]: args[i + 1] for i in range(0, len(args), 2)}
        if name == "concat":
            if args and all(isinstance(a, list) for a in args):
                return [x for a in args for x in a]
            return "".join(str(a) for a in args)
        if name == "format":
            return re.sub(r"\{(\d+)(:[^}]*)?\}", lambda m: str(args[int(m.group(1)) + 1]), args[0])
        if name == "add" and all(isinstance(a, int) for a in args):
            return args[0] + args[1]
        if name == "json" and isinstance(args[0], str):
            return json.loads(args[0])
        return Opaque(f"<{name}({', '.join(str(a) for a in args)})>")


# ---------- navigation ----------


def resources(template):
    res = template.get("resources", [])
    return list(res.values()) if isinstance(res, dict) else res


def deployments(template, found=None):
    """Every nested deployment (module), by name, with the template it belongs to."""
    found = {} if found is None else found
    for r in resources(template):
        if r.get("type") == "Microsoft.Resources/deployments":
            found[r["name"]] = r
            deployments(r["properties"]["template"], found)
    return found


def module(t, name):
    mods = deployments(t)
    if name not in mods:
        raise Fail(f"module {name} is missing")
    return mods[name]["properties"]["template"]


def of_type(template, rtype):
    return [r for r in resources(template) if r.get("type", "").lower() == rtype.lower()]


def one(template, rtype):
    found = of_type(template, rtype)
    if not found:
        raise Fail(f"no {rtype}")
    return found[0]


def transitive_dependencies(t, name):
    mods = deployments(t)
    seen, todo = set(), [name]
    while todo:
        for d in mods[todo.pop()].get("dependsOn", []):
            m = re.search(r"'Microsoft\.Resources/deployments', '([^']+)'", d)
            if m and m.group(1) not in seen:
                seen.add(m.group(1))
                todo.append(m.group(1))
    return seen


def app_settings(t):
    fa = module(t, "functionapp")
    site = one(fa, "Microsoft.Web/sites")
    settings = Evaluator(fa).value(site["properties"]["siteConfig"]["appSettings"])
    if not isinstance(settings, list):
        raise Fail(f"appSettings could not be read: {settings[:120]}")
    flat = []
    for s in settings:
        flat.extend(s if isinstance(s, list) else [s])
    return {s["name"]: s["value"] for s in flat if isinstance(s, dict)}, site, fa


def redis_apps(t):
    ca = module(t, "redis-container-apps")
    ev = Evaluator(ca)
    apps = of_type(ca, "Microsoft.App/containerApps")
    primary = [a for a in apps if "copy" not in a]
    replicas = [a for a in apps if "copy" in a]
    if len(primary) != 1 or not replicas:
        raise Fail("expected one primary app and a replica app loop")
    return ca, ev, primary[0], replicas[0]


def args_of(ev, app):
    container = app["properties"]["template"]["containers"][0]
    args = ev.value(container["args"])
    if not isinstance(args, list):
        raise Fail(f"container args could not be read: {args[:120]}")
    return args, container


def flag(args, name):
    return args[args.index(name) + 1] if name in args else None


class Fail(Exception):
    pass


# ---------- the checks ----------


def check_ingress(t, p, m):
    ca, ev, primary, replica = redis_apps(t)
    env = one(ca, "Microsoft.App/managedEnvironments")
    vnet = env["properties"].get("vnetConfiguration", {})
    if vnet.get("internal") is not True or not vnet.get("infrastructureSubnetId"):
        raise Fail("the Redis environment must be VNet-injected with an internal load balancer (internal: true)")
    for app in (primary, replica):
        ingress = app["properties"]["configuration"]["ingress"]
        if ingress.get("transport") != "tcp" or ingress.get("external") is not True:
            raise Fail(f"{app['name']}: TCP ingress must be external: true (= reachable from the VNet in an internal environment); external: false is environment-only")
    dns = module(t, "redis-dns")
    if not of_type(dns, "Microsoft.Network/privateDnsZones/virtualNetworkLinks") or not of_type(dns, "Microsoft.Network/privateDnsZones/A"):
        raise Fail("the Redis names must resolve in the VNet (private zone with A records and a VNet link)")
    mods = deployments(t)
    if "staticIp" not in json.dumps(mods["redis-dns"]["properties"]["parameters"].get("staticIp")):
        raise Fail("the Redis A records must point at the environment's static IP")
    return "Redis apps: TCP ingress external: true in an internal VNet environment, names in a VNet-linked private zone"


def nsg_rules(t):
    net = module(t, "network")
    ev = Evaluator(net)
    nsg = one(net, "Microsoft.Network/networkSecurityGroups")
    vnet = one(net, "Microsoft.Network/virtualNetworks")
    subnets = {s["name"]: ev.value(s["properties"]) for s in vnet["properties"]["subnets"]}
    return [ev.value(r["properties"]) for r in nsg["properties"]["securityRules"]], subnets, vnet


def check_nsg(t, p, m):
    rules, subnets, vnet = nsg_rules(t)
    functions, redis = subnets["functions"]["addressPrefix"], subnets["redis"]["addressPrefix"]
    if "networkSecurityGroup" not in subnets["redis"]:
        raise Fail("the redis subnet has no NSG")
    inbound = [r for r in rules if r["direction"] == "Inbound"]
    allows = [r for r in inbound if r["access"] == "Allow"]
    if not any(r["sourceAddressPrefix"] == functions for r in allows):
        raise Fail("no inbound allow rule for the functions subnet")
    for r in allows:
        if r.get("sourceAddressPrefix") not in (functions, redis, "AzureLoadBalancer") or r.get("sourceAddressPrefixes"):
            raise Fail(f"inbound allow from {r.get('sourceAddressPrefix') or r.get('sourceAddressPrefixes')}: only the functions subnet, the environment itself and the load balancer probes may reach Redis")
    denies = [r for r in inbound if r["access"] == "Deny" and r["sourceAddressPrefix"] in ("VirtualNetwork", "*")]
    if not denies or min(d["priority"] for d in denies) <= max(a["priority"] for a in allows):
        raise Fail("no inbound deny for the rest of the VNet after the allow rules (AllowVnetInBound would admit every subnet)")
    return f"Redis subnet NSG: inbound only from the functions subnet ({functions}), the environment and load balancer probes; rest of the VNet denied"


def check_replicaof(t, p, m):
    ca, ev, primary, replica = redis_apps(t)
    args, _ = args_of(ev, replica)
    target, primary_name = flag(args, "--replicaof"), ev.value(primary["name"])
    if target != primary_name or args[args.index("--replicaof") + 2] != "6379":
        raise Fail(f"replicas must replicate from the primary app by name and exposed port ({primary_name} 6379), not {target}")
    if primary["properties"]["configuration"]["ingress"].get("exposedPort") != 6379:
        raise Fail("the primary's exposed port must be 6379 (what --replicaof names)")
    return "replicas: --replicaof <primary app name> 6379 (inside the environment TCP apps are reached by name and exposed port)"


def check_identity_first(t, p, m):
    settings, site, fa = app_settings(t)
    if site.get("identity", {}).get("type") != "UserAssigned":
        raise Fail("the site must use the user-assigned identity (created before it), not a system-assigned one")
    props = site["properties"]
    if not props.get("keyVaultReferenceIdentity"):
        raise Fail("keyVaultReferenceIdentity is not set: Key Vault references would use a system-assigned identity")
    auth = props["functionAppConfig"]["deployment"]["storage"]["authentication"]
    if auth.get("type") != "UserAssignedIdentity" or not auth.get("userAssignedIdentityResourceId"):
        raise Fail("the deployment storage must authenticate with the user-assigned identity")
    deps = transitive_dependencies(t, "functionapp")
    for needed in ("identity", "storage", "monitoring", "keyvault", "redis"):
        if needed not in deps:
            raise Fail(f"the Function App does not depend on module {needed} (roles/secrets could be created after the site)")
    for name in ("storage", "monitoring", "keyvault"):
        if not of_type(module(t, name), "Microsoft.Authorization/roleAssignments"):
            raise Fail(f"module {name} grants the identity no role")
    if "condition" not in deployments(t)["identity"]:
        raise Fail("the identity module must be conditioned on the parameter validation")
    return "user-assigned identity and its roles (storage, App Insights, Key Vault) precede the site; Key Vault references and deployment storage use it"


def check_site_after_storage(t, p, m):
    st = module(t, "storage")
    if not of_type(st, "Microsoft.Storage/storageAccounts/blobServices/containers") or not of_type(st, "Microsoft.Storage/storageAccounts/queueServices/queues"):
        raise Fail("the storage module must create the deployment container and the queues")
    if "storage" not in transitive_dependencies(t, "functionapp"):
        raise Fail("the Function App does not depend on its deployment container and queues")
    acct = one(st, "Microsoft.Storage/storageAccounts")
    if acct["properties"].get("allowSharedKeyAccess") is not False:
        raise Fail("host storage must have shared keys off")
    return "site depends on its deployment container and queues; host storage has shared keys off"


SECRET = re.compile(r"password=|accountkey=|sharedaccesskey|secret=|pwd=", re.I)


def check_no_plain_secrets(t, p, m):
    settings, site, fa = app_settings(t)
    for name, value in settings.items():
        text = str(value)
        if SECRET.search(text) and not text.startswith("@Microsoft.KeyVault("):
            raise Fail(f"app setting {name} holds a secret in plain text")
        if re.search(r"<param:[^>]*(password|key)[^>]*>", text, re.I):
            raise Fail(f"app setting {name} is built from a secret parameter")
    for name in ("ServerlessRyw__Primary",):
        if not str(settings.get(name, "")).startswith("@Microsoft.KeyVault(SecretUri="):
            raise Fail(f"{name} must be a Key Vault reference")
    replicas = [v for k, v in settings.items() if k.startswith("ServerlessRyw__Replicas__")]
    if not replicas or not all(str(v).startswith("@Microsoft.KeyVault(SecretUri=") for v in replicas):
        raise Fail("ServerlessRyw__Replicas__N must be Key Vault references")
    if "AzureWebJobsStorage" in settings:
        raise Fail("AzureWebJobsStorage as a connection string")
    for pname in fa.get("parameters", {}):
        if re.search(r"password|secret", pname, re.I):
            raise Fail(f"the Function App module takes a secret parameter ({pname})")
    return "no secret in plain app settings: Redis connection strings are Key Vault references"


def check_storage_identity(t, p, m):
    settings, _, _ = app_settings(t)
    if settings.get("AzureWebJobsStorage__credential") != "managedidentity" or "AzureWebJobsStorage__clientId" not in settings or "AzureWebJobsStorage__accountName" not in settings:
        raise Fail("AzureWebJobsStorage__accountName/__credential=managedidentity/__clientId must all be set")
    return "AzureWebJobsStorage__accountName + __credential=managedidentity + __clientId"


def check_app_insights(t, p, m):
    settings, _, _ = app_settings(t)
    auth = str(settings.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", ""))
    if not re.fullmatch(r"ClientId=.+;Authorization=AAD", auth) or "APPLICATIONINSIGHTS_CONNECTION_STRING" not in settings:
        raise Fail("APPLICATIONINSIGHTS_CONNECTION_STRING and APPLICATIONINSIGHTS_AUTHENTICATION_STRING=ClientId=<uami>;Authorization=AAD are required")
    ai = one(module(t, "monitoring"), "Microsoft.Insights/components")
    if ai["properties"].get("DisableLocalAuth") is not True:
        raise Fail("Application Insights must have local auth disabled")
    return "Application Insights: local auth off, app ingests with ClientId=<uami>;Authorization=AAD"


def check_persistence(t, p, m):
    ca, ev, primary, replica = redis_apps(t)
    args, container = args_of(ev, primary)
    if flag(args, "--appendonly") != "yes":
        raise Fail("the primary must run with --appendonly yes")
    data_dir = flag(args, "--dir")
    volumes = {v["name"]: v for v in primary["properties"]["template"].get("volumes", [])}
    mounts = [vm for vm in container.get("volumeMounts", []) if vm["mountPath"] == data_dir]
    if not mounts or volumes.get(mounts[0]["volumeName"], {}).get("storageType") != "AzureFile":
        raise Fail(f"the primary's --dir ({data_dir}) must be an Azure Files volume mount")
    storage = one(ca, "Microsoft.App/managedEnvironments/storages")
    if storage["properties"]["azureFile"].get("accessMode") != "ReadWrite":
        raise Fail("the AOF share must be mounted read-write")
    if not any(isinstance(e, dict) and e.get("name") == "REDIS_LOCK_FILE" for e in ev.value(container.get("env", []))):
        raise Fail("the primary must take the AOF lock (REDIS_LOCK_FILE)")
    return f"primary: --appendonly yes, --dir {data_dir} on an Azure Files volume, start-up lock on the AOF"


def check_maxmemory(t, p, m):
    ca, ev, primary, replica = redis_apps(t)
    for app in (primary, replica):
        args, _ = args_of(ev, app)
        if not flag(args, "--maxmemory") or not flag(args, "--maxmemory-policy"):
            raise Fail(f"{app['name']}: --maxmemory and --maxmemory-policy must be set on every node")
    return "every Redis node: --maxmemory and --maxmemory-policy"


def check_image(t, p, m):
    mods = deployments(t)
    ca, ev, primary, replica = redis_apps(t)
    for app in (primary, replica):
        if app["properties"]["template"]["containers"][0]["image"] != "[parameters('image')]":
            raise Fail("the Redis image must be the validated parameter")
    main_vars = json.dumps(t.get("variables", {}))
    if "@sha256:" not in main_vars or "equals(length(variables('digest')), 64)" not in main_vars or "fail('redisImage must be pinned by digest" not in main_vars:
        raise Fail("main.bicep must reject an image that is not pinned by a 64-hex sha256 digest")
    if mods["identity"].get("condition") != "[variables('validated')]":
        raise Fail("the validation must gate the first resource (identity module condition)")
    image = p["parameters"]["redisImage"]["value"]
    if not re.fullmatch(r"[a-z0-9./:_-]+@sha256:[a-f0-9]{64}", image):
        raise Fail(f"main.bicepparam's image is not pinned by digest: {image}")
    return "Redis image: required parameter, rejected unless pinned by @sha256:<64 hex>"


def check_acl(t, p, m):
    ca, ev, primary, replica = redis_apps(t)
    script = ca["variables"]["startScript"]
    app_line = next((l for l in script.splitlines() if l.startswith("user app ")), "")
    repl_line = next((l for l in script.splitlines() if l.startswith("user replicator ")), "")
    if "user default off" not in script:
        raise Fail("the default user must be off")
    if "-@all" not in app_line or re.search(r"\+@(all|admin|dangerous|write|read)\b|allcommands", app_line):
        raise Fail("user app must start from -@all and list its commands one by one")
    for cmd in ("+eval", "+evalsha", "+info", "+get", "+set", "+incr", "+multi", "+exec"):
        if cmd not in app_line.split():
            raise Fail(f"user app lacks {cmd} (scripts are ACL-checked: INFO inside the probe needs +info)")
    if re.search(r"\+(flushall|flushdb|config|keys|shutdown|acl|debug|psync|replicaof|slaveof|module)\b", app_line):
        raise Fail("user app has an admin command")
    if repl_line.split()[-3:] != ["+psync", "+replconf", "+ping"] or "-@all" not in repl_line:
        raise Fail("user replicator must have only PSYNC, REPLCONF, PING")
    for app in (primary, replica):
        env = ev.value(app["properties"]["template"]["containers"][0]["env"])
        refs = {e["name"]: e.get("secretRef") for e in env if isinstance(e, dict)}
        if not refs.get("REDIS_APP_PASSWORD") or not refs.get("REDIS_REPLICATION_PASSWORD"):
            raise Fail("the Redis passwords must come from Container Apps secrets")
    return "Redis ACL: default user off, user app with an explicit command list (EVAL/EVALSHA/INFO included), user replicator PSYNC/REPLCONF/PING"


def check_key_vault(t, p, m):
    kv = module(t, "keyvault")
    vault = one(kv, "Microsoft.KeyVault/vaults")["properties"]
    if vault.get("enableRbacAuthorization") is not True or vault.get("enablePurgeProtection") is True:
        raise Fail("vault must use RBAC and leave purge protection off (a soft-deleted vault must be purgeable)")
    if vault.get("softDeleteRetentionInDays") != 7 or "recover" not in kv["parameters"]["createMode"].get("allowedValues", []):
        raise Fail("vault: 7-day soft-delete retention and createMode recover must be available")
    if "nameSeed" not in t["parameters"]:
        raise Fail("main.bicep must let a redeploy pick new names (nameSeed)")
    secrets = [r for r in of_type(kv, "Microsoft.KeyVault/vaults/secrets")]
    if not secrets:
        raise Fail("the Redis passwords must be kept in Key Vault for reuse")
    return "Key Vault: RBAC, 7-day soft delete, createMode recover, nameSeed; Redis passwords kept for reuse"


def check_restart_on_password_change(t, p, m):
    ca, ev, primary, replica = redis_apps(t)
    settings, _, _ = app_settings(t)
    for app in (primary, replica):
        env = ev.value(app["properties"]["template"]["containers"][0]["env"])
        if not any(isinstance(e, dict) and e.get("name") == "RYW_RESTART_STAMP" for e in env):
            raise Fail(f"{app['name']}: a password change must create a new revision (RYW_RESTART_STAMP)")
    if "RYW_RESTART_STAMP" not in settings:
        raise Fail("a password change must restart the Function App (RYW_RESTART_STAMP)")
    if "uniqueString(parameters('redisAppPassword'), parameters('redisReplicationPassword'))" not in json.dumps(t["variables"]):
        raise Fail("RYW_RESTART_STAMP must derive from both passwords")
    return "a Redis password change restarts the Redis apps and the Function App (no container keeps an old password)"


def check_managed_option(t, p, m):
    mods = deployments(t)
    amr = module(t, "redis-managed")
    cond = mods["redis-managed"].get("condition", "")
    if "not(variables('selfHosted'))" not in cond:
        raise Fail("redis-managed must deploy only for redisHosting=AzureManagedRedis")
    db = one(amr, "Microsoft.Cache/redisEnterprise/databases")["properties"]
    cache = one(amr, "Microsoft.Cache/redisEnterprise")["properties"]
    if db.get("clientProtocol") != "Encrypted" or cache.get("publicNetworkAccess") != "Disabled":
        raise Fail("Azure Managed Redis: TLS only, public network access disabled")
    if "rywMode=PrimaryOnly" not in json.dumps(t["variables"]) or m["parameters"]["rywMode"]["value"] != "PrimaryOnly":
        raise Fail("Azure Managed Redis must be PrimaryOnly (validated in main.bicep, set in managed-redis.bicepparam)")
    return "optional Azure Managed Redis: PrimaryOnly enforced, TLS, private endpoint only"


CHECKS = [
    ("redis-reachable-from-vnet", check_ingress),
    ("redis-nsg", check_nsg),
    ("replicaof-by-app-name", check_replicaof),
    ("identity-before-site", check_identity_first),
    ("site-after-storage", check_site_after_storage),
    ("no-plain-secrets", check_no_plain_secrets),
    ("storage-identity-settings", check_storage_identity),
    ("app-insights-aad", check_app_insights),
    ("persistence", check_persistence),
    ("maxmemory", check_maxmemory),
    ("image-pinned", check_image),
    ("redis-acl", check_acl),
    ("key-vault-redeploy", check_key_vault),
    ("password-change-restarts", check_restart_on_password_change),
    ("managed-redis-primaryonly", check_managed_option),
]

# ---------- self-test: one or more mutations per check, each must make that check fail ----------


def mutate_text(old, new):
    def apply(t, p, m):
        text = json.dumps(t)
        if json.dumps(old)[1:-1] not in text:
            raise KeyError(f"mutation target not found: {old}")
        return json.loads(text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1], 1)), p, m
    return apply


def mutate(fn):
    def apply(t, p, m):
        t, p, m = copy.deepcopy(t), copy.deepcopy(p), copy.deepcopy(m)
        fn(t, p, m)
        return t, p, m
    return apply


def app(t, replica=False):
    return redis_apps(t)[3 if replica else 2]


def set_rule(t, name, key, value):
    net = module(t, "network")
    for r in one(net, "Microsoft.Network/networkSecurityGroups")["properties"]["securityRules"]:
        if r["name"] == name:
            r["properties"][key] = value


def drop_dep(t, name, dep):
    mod = deployments(t)[name]
    mod["dependsOn"] = [d for d in mod["dependsOn"] if f"'{dep}')" not in d]


MUTATIONS = {
    "redis-reachable-from-vnet": [
        ("primary ingress external: false", mutate(lambda t, p, m: app(t)["properties"]["configuration"]["ingress"].update(external=False))),
        ("environment not internal", mutate(lambda t, p, m: one(module(t, "redis-container-apps"), "Microsoft.App/managedEnvironments")["properties"]["vnetConfiguration"].update(internal=False))),
    ],
    "redis-nsg": [
        ("allow from anywhere", mutate(lambda t, p, m: set_rule(t, "allow-functions-subnet", "sourceAddressPrefix", "*"))),
        ("no VNet deny", mutate(lambda t, p, m: set_rule(t, "deny-other-vnet-inbound", "access", "Allow"))),
    ],
    "replicaof-by-app-name": [
        ("replicaof the ingress FQDN", mutate_text("'--replicaof', variables('primaryName')", "'--replicaof', reference(resourceId('Microsoft.App/containerApps', variables('primaryName'))).configuration.ingress.fqdn")),
    ],
    "identity-before-site": [
        ("system-assigned identity", mutate(lambda t, p, m: one(module(t, "functionapp"), "Microsoft.Web/sites")["identity"].update(type="SystemAssigned"))),
        ("no keyVaultReferenceIdentity", mutate(lambda t, p, m: one(module(t, "functionapp"), "Microsoft.Web/sites")["properties"].pop("keyVaultReferenceIdentity"))),
        ("site not after the monitoring role", mutate(lambda t, p, m: [drop_dep(t, d, "monitoring") for d in ("functionapp", "redis")])),
        ("site not after the Key Vault role", mutate(lambda t, p, m: drop_dep(t, "redis", "keyvault"))),
    ],
    "site-after-storage": [
        ("site not after storage", mutate(lambda t, p, m: drop_dep(t, "functionapp", "storage"))),
    ],
    "no-plain-secrets": [
        ("connection string in plain text", mutate_text("format('@Microsoft.KeyVault(SecretUri={0})', parameters('primaryUri'))", "'redis:6379,user=app,password=hunter2'")),
        ("replica not a reference", mutate_text("format('@Microsoft.KeyVault(SecretUri={0})', parameters('replicaUris')[copyIndex('replicaSettings')])", "parameters('replicaUris')[copyIndex('replicaSettings')]")),
    ],
    "storage-identity-settings": [
        ("no __credential", mutate_text("'AzureWebJobsStorage__credential', 'value', 'managedidentity'", "'AzureWebJobsStorage__credential', 'value', 'connectionstring'")),
    ],
    "app-insights-aad": [
        ("local auth on", mutate(lambda t, p, m: one(module(t, "monitoring"), "Microsoft.Insights/components")["properties"].update(DisableLocalAuth=False))),
        ("no AAD setting", mutate_text("ClientId={0};Authorization=AAD", "ClientId={0}")),
    ],
    "persistence": [
        ("appendonly no", mutate_text("'--appendonly', 'yes'", "'--appendonly', 'no'")),
        ("no volume mount", mutate(lambda t, p, m: app(t)["properties"]["template"]["containers"][0].pop("volumeMounts"))),
    ],
    "maxmemory": [
        ("no maxmemory", mutate(lambda t, p, m: module(t, "redis-container-apps")["variables"]["commonFlags"].__setitem__(2, "--no-maxmemory"))),
    ],
    "image-pinned": [
        ("image by tag", mutate(lambda t, p, m: p["parameters"]["redisImage"].update(value="docker.io/library/redis:7.4"))),
        ("no digest validation", mutate_text("fail('redisImage must be pinned by digest", "concat('redisImage must be pinned by digest")),
        ("validation not gating", mutate(lambda t, p, m: deployments(t)["identity"].pop("condition"))),
    ],
    "redis-acl": [
        ("app gets +@all", mutate_text("-@all +get", "+@all +get")),
        ("app lacks +info", mutate_text(" +info ", " ")),
        ("default user on", mutate_text("user default off", "user default on nopass")),
    ],
    "key-vault-redeploy": [
        ("purge protection on", mutate(lambda t, p, m: one(module(t, "keyvault"), "Microsoft.KeyVault/vaults")["properties"].update(enablePurgeProtection=True))),
        ("no recover", mutate(lambda t, p, m: module(t, "keyvault")["parameters"]["createMode"].update(allowedValues=["default"]))),
    ],
    "password-change-restarts": [
        ("no restart stamp on Redis", mutate(lambda t, p, m: module(t, "redis-container-apps")["variables"]["secretEnv"].pop())),
        ("no restart stamp on the site", mutate_text("'RYW_RESTART_STAMP', 'value'", "'UNRELATED', 'value'")),
    ],
    "managed-redis-primaryonly": [
        ("managed with token mode", mutate(lambda t, p, m: m["parameters"]["rywMode"].update(value="Token"))),
        ("managed public", mutate(lambda t, p, m: one(module(t, "redis-managed"), "Microsoft.Cache/redisEnterprise")["properties"].update(publicNetworkAccess="Enabled"))),
    ],
}


def run(check, t, p, m):
    try:
        return True, check(t, p, m)
    except Fail as e:
        return False, str(e)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        return False, f"template shape not understood ({type(e).__name__}: {e})"


def main():
    t, p, m = (json.load(open(f)) for f in sys.argv[1:4])
    passed = failed = 0
    for name, check in CHECKS:
        ok, message = run(check, t, p, m)
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {message}")
        passed, failed = passed + ok, failed + (not ok)
    caught = missed = 0
    for name, check in CHECKS:
        for label, mutation in MUTATIONS.get(name, []):
            try:
                mt, mp, mm = mutation(t, p, m)
            except (KeyError, IndexError, Fail) as e:
                print(f"  FAIL self-test {name} / {label}: mutation could not be applied ({e})")
                missed += 1
                continue
            ok, message = run(check, mt, mp, mm)
            if ok:
                print(f"  FAIL self-test {name} / {label}: the broken template still passes")
                missed += 1
            else:
                caught += 1
        if not MUTATIONS.get(name):
            print(f"  FAIL self-test {name}: no mutation proves it can fail")
            missed += 1
    print(f"  {'ok  ' if not missed else 'FAIL'} self-test: {caught} deliberately broken templates rejected, {missed} not")
    print(f"ARM_CHECKS passed={passed + (not missed)} failed={failed + (missed > 0)}")
    return 0 if failed == 0 and missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
