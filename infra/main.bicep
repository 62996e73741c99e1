// ServerlessRyw Functions sample on Azure (what and why: infra/README.md).
//   identity      user-assigned identity, created first; every role below is granted before the site exists
//   network       VNet: functions / redis / endpoints subnets, NSG admitting only the functions subnet to Redis
//   monitoring    Log Analytics + Application Insights (Entra ID ingestion only)
//   storage       host storage (identity only), sample queues, Flex deployment container
//   keyvault      RBAC vault: Redis passwords (reused across deploys) and connection strings
//   redis         redisHosting = ContainerApps: primary (AOF on Azure Files) + replicas, token mode
//                 redisHosting = AzureManagedRedis: OPTIONAL managed cache, PrimaryOnly mode only
//   functionapp   Flex Consumption, VNet-integrated, deployed last

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Short prefix for resource names: 3-11 lowercase letters or digits, starting with a letter.')
@minLength(3)
@maxLength(11)
param namePrefix string = 'rywsample'

@description('Part of the seed of the generated names. Change it (v2, v3, ...) to get new names, e.g. when a soft-deleted vault still holds the old one.')
@minLength(1)
@maxLength(8)
param nameSeed string = 'v1'

@description('ContainerApps: self-hosted Redis/Valkey with addressable replicas (token mode). AzureManagedRedis: managed cache, PrimaryOnly mode only.')
@allowed([ 'ContainerApps', 'AzureManagedRedis' ])
param redisHosting string = 'ContainerApps'

@description('Read-your-writes mode. Token needs addressable replicas that report replication offsets (ContainerApps only).')
@allowed([ 'Token', 'Window', 'PrimaryOnly', 'ReplicaUnsafe' ])
param rywMode string = 'Token'

@description('ContainerApps: the Redis or Valkey image pinned by digest, e.g. docker.io/valkey/valkey:8.1@sha256:<64 hex>. Resolve the digest yourself (infra/README.md); none is shipped here.')
param redisImage string = ''

@description('ContainerApps: an existing Azure Container Registry in this resource group to pull redisImage from with the identity (recommended: no anonymous Docker Hub rate limits). Empty: pull anonymously.')
param acrName string = ''

@description('ContainerApps: password of the Redis ACL user app (32+ characters of A-Z a-z 0-9 _ -). Reuse it across deploys.')
@secure()
param redisAppPassword string = ''

@description('ContainerApps: password of the Redis ACL user replicator (same rules, different value).')
@secure()
param redisReplicationPassword string = ''

@description('ContainerApps: number of read replicas.')
@minValue(1)
@maxValue(3)
param redisReplicaCount int = 1

@description('ContainerApps: vCPU per Redis node (memory 2 GiB per vCPU, maxmemory half of it).')
@allowed([ '0.5', '1.0', '2.0' ])
param redisCpu string = '0.5'

@description('maxmemory-policy of every node. noeviction fails writes when full instead of dropping keys.')
@allowed([ 'noeviction', 'allkeys-lru', 'allkeys-lfu', 'volatile-lru', 'volatile-lfu', 'volatile-ttl' ])
param redisMaxMemoryPolicy string = 'noeviction'

@description('AzureManagedRedis: SKU.')
@allowed([ 'Balanced_B0', 'Balanced_B1', 'Balanced_B3', 'Balanced_B5', 'MemoryOptimized_M10', 'ComputeOptimized_X3' ])
param managedRedisSku string = 'Balanced_B0'

@description('default: create the vault. recover: restore the soft-deleted vault of the same name (left by az group delete).')
@allowed([ 'default', 'recover' ])
param keyVaultCreateMode string = 'default'

@description('.NET version of the isolated worker on Flex Consumption.')
@allowed([ '8.0', '9.0', '10.0' ])
param dotnetVersion string = '10.0'

@description('Flex Consumption instance memory, in MB.')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

@description('Upper bound on Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

// ---------- Parameter validation beyond what decorators express ----------
// Bicep has no pattern decorator: these checks gate the first module (identity), so a bad value stops the
// deployment before anything is created. take(skip()) never throws, whatever the lengths.

var selfHosted = redisHosting == 'ContainerApps'
var lowerAlnum = 'abcdefghijklmnopqrstuvwxyz0123456789'
var passwordChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'
var digest = last(split(redisImage, '@sha256:'))
var prefixOk = contains('abcdefghijklmnopqrstuvwxyz', take(namePrefix, 1)) && empty(filter(range(0, length(namePrefix)), i => !contains(lowerAlnum, take(skip(namePrefix, i), 1))))
var imageOk = length(split(redisImage, '@sha256:')) == 2 && length(digest) == 64 && empty(filter(range(0, 64), i => !contains('0123456789abcdef', take(skip(digest, i), 1))))
var passwordsOk = length(redisAppPassword) >= 32 && length(redisReplicationPassword) >= 32 && redisAppPassword != redisReplicationPassword && empty(filter(range(0, length(redisAppPassword)), i => !contains(passwordChars, take(skip(redisAppPassword, i), 1)))) && empty(filter(range(0, length(redisReplicationPassword)), i => !contains(passwordChars, take(skip(redisReplicationPassword, i), 1))))

var validated = !prefixOk
  ? fail('namePrefix must be lowercase letters and digits, starting with a letter.')
  : !selfHosted && rywMode != 'PrimaryOnly'
      ? fail('redisHosting=AzureManagedRedis supports only rywMode=PrimaryOnly: no addressable replicas, no INFO in scripts.')
      : selfHosted && !imageOk
          ? fail('redisImage must be pinned by digest: <repository>[:tag]@sha256:<64 lowercase hex>.')
          : selfHosted && !passwordsOk
              ? fail('redisAppPassword and redisReplicationPassword must differ and be 32+ characters of A-Z a-z 0-9 _ - (openssl rand -hex 32).')
              : true

// ---------- Names ----------

var suffix = uniqueString(resourceGroup().id, namePrefix, nameSeed)
var names = {
  identity: '${namePrefix}-id-${suffix}'
  logAnalytics: '${namePrefix}-logs-${suffix}'
  appInsights: '${namePrefix}-appi-${suffix}'
  storage: take('${namePrefix}st${suffix}', 24)
  redisData: take('${namePrefix}rd${suffix}', 24)
  keyVault: take('${namePrefix}-kv-${suffix}', 24)
  plan: '${namePrefix}-plan-${suffix}'
  functionApp: '${namePrefix}-func-${suffix}'
  managedRedis: '${namePrefix}-amr-${suffix}'
}
var deploymentContainerName = 'deploymentpackage'
var queueNames = [ 'orders-placed', 'orders-reserved' ]
// Known before deployment, so role assignment names and resource references are stable (what-if).
var identityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', names.identity)
// Changes only when a Redis password changes: the Redis containers and the Function App then restart with it.
var restartStamp = uniqueString(redisAppPassword, redisReplicationPassword)

// ---------- Identity first, then everything that grants it access ----------

module identity 'modules/identity.bicep' = if (validated) {
  name: 'identity'
  params: {
    location: location
    name: names.identity
  }
}

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    location: location
    namePrefix: namePrefix
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    identityId: identityId
    principalId: identity!.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storage
    identityId: identityId
    principalId: identity!.outputs.principalId
    deploymentContainerName: deploymentContainerName
    queueNames: queueNames
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: names.keyVault
    createMode: keyVaultCreateMode
    identityId: identityId
    principalId: identity!.outputs.principalId
    redisPasswords: selfHosted
      ? { 'redis-app-password': redisAppPassword, 'redis-replication-password': redisReplicationPassword }
      : {}
  }
}

// ---------- Redis ----------

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: {
    location: location
    namePrefix: namePrefix
    redisHosting: redisHosting
    network: network.outputs
    logAnalyticsName: names.logAnalytics
    keyVaultName: names.keyVault
    identityId: identityId
    identityPrincipalId: identity!.outputs.principalId
    image: redisImage
    acrName: acrName
    appPassword: redisAppPassword
    replicationPassword: redisReplicationPassword
    replicaCount: redisReplicaCount
    cpu: redisCpu
    maxMemoryPolicy: redisMaxMemoryPolicy
    managedRedisName: names.managedRedis
    managedRedisSku: managedRedisSku
    dataAccountName: names.redisData
    restartStamp: restartStamp
  }
  dependsOn: [
    monitoring // the workspace receiving container logs
    keyVault // the vault receiving the connection strings
  ]
}

// ---------- Function App, last ----------

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    name: names.functionApp
    planName: names.plan
    identityId: identity!.outputs.id
    identityClientId: identity!.outputs.clientId
    subnetId: network.outputs.functionsSubnetId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    rywMode: rywMode
    primaryUri: redis.outputs.primaryUri
    replicaUris: redis.outputs.replicaUris
    restartStamp: restartStamp
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
  // Implicit dependencies (through the parameters above): identity, network, storage (queues, deployment
  // container, roles), monitoring (role), redis -> keyvault (role, secrets). build/check-infra.sh asserts them.
}

// ---------- Outputs ----------

@description('Function App name (func azure functionapp publish / az functionapp deploy).')
output functionAppName string = functionApp.outputs.name

@description('Base URL of the Function App.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Storage account with the sample queues.')
output storageAccountName string = storage.outputs.name

@description('Application Insights resource.')
output appInsightsName string = monitoring.outputs.appInsightsName

@description('Key Vault with the Redis passwords and connection strings.')
output keyVaultName string = keyVault.outputs.name

@description('Redis endpoints, host:port, reachable from the VNet only.')
output redisEndpoints array = redis.outputs.endpoints
