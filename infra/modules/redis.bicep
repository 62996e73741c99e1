// Redis for the sample, one of two ways (redisHosting):
//   ContainerApps      redis-storage + redis-container-apps + private-dns + keyvault-secrets (token mode)
//   AzureManagedRedis  redis-managed (OPTIONAL; PrimaryOnly mode only)
// Outputs the Key Vault secret URIs of the connection strings, which the Function App references.

@description('Azure region.')
param location string

@description('Name prefix.')
param namePrefix string

@description('ContainerApps or AzureManagedRedis.')
@allowed([ 'ContainerApps', 'AzureManagedRedis' ])
param redisHosting string

@description('Outputs of network.bicep.')
param network object

@description('Log Analytics workspace for container logs.')
param logAnalyticsName string

@description('Key Vault receiving the connection strings.')
param keyVaultName string

@description('User-assigned identity (registry pull).')
param identityId string

@description('Its principal id (AcrPull).')
param identityPrincipalId string

@description('Image pinned by digest (validated in main.bicep).')
param image string

@description('Existing ACR in this resource group, or empty.')
param acrName string

@description('Password of ACL user app.')
@secure()
param appPassword string

@description('Password of ACL user replicator.')
@secure()
param replicationPassword string

@description('Read replicas.')
param replicaCount int

@description('vCPU per node.')
param cpu string

@description('maxmemory-policy.')
param maxMemoryPolicy string

@description('Azure Managed Redis name.')
param managedRedisName string

@description('Azure Managed Redis SKU.')
param managedRedisSku string

@description('Storage account for the primary\'s AOF share.')
param dataAccountName string

@description('Changes when a password changes: forces new revisions, so no container keeps an old password.')
param restartStamp string

var selfHosted = redisHosting == 'ContainerApps'
var dataShareName = 'redis-data'
var zoneName = '${namePrefix}.redis.internal'
var replicaRecords = [for i in range(0, replicaCount): 'replica-${i}']
var records = concat([ 'primary' ], replicaRecords)
// Exposed ports, as redis-container-apps.bicep assigns them: 6379 for the primary, 6380 + i for replica i.
var replicaPorts = [for i in range(0, replicaCount): 6380 + i]
var ports = concat([ 6379 ], replicaPorts)
module acrPull 'acr-pull.bicep' = if (selfHosted && !empty(acrName)) {
  name: 'redis-acr-pull'
  params: {
    acrName: acrName
    identityId: identityId
    principalId: identityPrincipalId
  }
}

module data 'redis-storage.bicep' = if (selfHosted) {
  name: 'redis-storage'
  params: {
    location: location
    name: dataAccountName
    shareName: dataShareName
    redisSubnetId: network.redisSubnetId
  }
}

module apps 'redis-container-apps.bicep' = if (selfHosted) {
  name: 'redis-container-apps'
  params: {
    location: location
    namePrefix: namePrefix
    infrastructureSubnetId: network.redisSubnetId
    logAnalyticsName: logAnalyticsName
    dataAccountName: dataAccountName
    dataShareName: dataShareName
    image: image
    registryServer: empty(acrName) ? '' : acrPull!.outputs.loginServer
    identityId: identityId
    appPassword: appPassword
    replicationPassword: replicationPassword
    replicaCount: replicaCount
    cpu: cpu
    maxMemoryPolicy: maxMemoryPolicy
    restartStamp: restartStamp
  }
  dependsOn: [
    data
  ]
}

module dns 'private-dns.bicep' = if (selfHosted) {
  name: 'redis-dns'
  params: {
    zoneName: zoneName
    records: records
    staticIp: apps!.outputs.staticIp
    vnetId: network.vnetId
  }
}

// host:port of every node, as the Function App reaches it: the name resolves to the load balancer, the exposed
// port selects the app.
var selfHostedEndpoints = [for (record, i) in records: '${record}.${zoneName}:${ports[i]}']

// ACL user app over the VNet. No TLS: infra/README.md ("TLS") says why.
var options = 'user=app,password=${appPassword},ssl=false,abortConnect=false,connectTimeout=5000'

module secrets 'keyvault-secrets.bicep' = if (selfHosted) {
  name: 'redis-secrets'
  params: {
    vaultName: keyVaultName
    connections: {
      primary: '${selfHostedEndpoints[0]},${options}'
      replicas: [for i in range(0, replicaCount): '${selfHostedEndpoints[i + 1]},${options}']
    }
    replicaCount: replicaCount
  }
  // The names must resolve before the Function App (deployed after these secrets) connects.
  dependsOn: [
    dns
  ]
}

module managed 'redis-managed.bicep' = if (!selfHosted) {
  name: 'redis-managed'
  params: {
    location: location
    name: managedRedisName
    skuName: managedRedisSku
    endpointsSubnetId: network.endpointsSubnetId
    vnetId: network.vnetId
    vaultName: keyVaultName
  }
}

@description('Key Vault secret URI of the primary connection string.')
output primaryUri string = selfHosted ? secrets!.outputs.primaryUri : managed!.outputs.primaryUri

@description('Key Vault secret URIs of the replica connection strings (none for Azure Managed Redis).')
output replicaUris array = selfHosted ? secrets!.outputs.replicaUris : []

@description('Redis endpoints, host:port (VNet only).')
output endpoints array = selfHosted
  ? selfHostedEndpoints
  : [ '${managed!.outputs.hostName}:10000' ]

