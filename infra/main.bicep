// ServerlessRyw Functions sample on Azure:
//   Function App (.NET isolated, Flex Consumption, system-assigned identity, VNet-integrated)
//   Storage account (identity-only access) with the sample's queues and the deployment container
//   Application Insights (workspace-based, Entra ID ingestion)
//   Redis primary + read replica(s) on Azure Container Apps (internal, TCP), reached over the VNet
//   Key Vault holding the Redis connection strings, read by the app through Key Vault references
// Decisions and costs: infra/README.md.

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Short lowercase prefix for resource names (3-11 letters or digits).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'rywsample'

@description('Redis password. Pass it at deploy time (main.bicepparam reads RYW_REDIS_PASSWORD); it is never stored in the repository.')
@secure()
@minLength(16)
param redisPassword string

@description('Number of Redis read replicas.')
@minValue(1)
@maxValue(3)
param redisReplicaCount int = 1

@description('Read-your-writes mode. Token needs replication offsets, which this self-managed Redis exposes.')
@allowed([ 'Token', 'Window', 'PrimaryOnly', 'ReplicaUnsafe' ])
param rywMode string = 'Token'

@description('.NET version of the isolated worker on Flex Consumption.')
param dotnetVersion string = '10.0'

@description('Flex Consumption instance memory, in MB.')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

@description('Upper bound on Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

var suffix = uniqueString(resourceGroup().id, namePrefix)
var storageName = take('${namePrefix}st${suffix}', 24)
var functionAppName = '${namePrefix}-func-${suffix}'
var keyVaultName = take('${namePrefix}-kv-${suffix}', 24)
var deploymentContainerName = 'deploymentpackage'
var queueNames = [ 'orders-placed', 'orders-reserved' ]

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// ---------- Network: one subnet for the Function App's outbound traffic, one for the Redis environment ----------

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: '${namePrefix}-vnet'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [ '10.40.0.0/16' ]
    }
    subnets: [
      {
        // Flex Consumption VNet integration: subnet delegated to Microsoft.App/environments.
        name: 'functions'
        properties: {
          addressPrefix: '10.40.1.0/24'
          delegations: [
            {
              name: 'flex'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        // Workload-profiles Container Apps environment: delegated subnet, /27 at least.
        name: 'redis'
        properties: {
          addressPrefix: '10.40.2.0/24'
          delegations: [
            {
              name: 'containerapps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
    ]
  }
}

// ---------- Monitoring ----------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-appi-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

// ---------- Storage: host storage, the sample's queues, the deployment package ----------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for name in queueNames: {
  parent: queueService
  name: name
}]

// ---------- Redis (self-managed, offsets visible: token mode) ----------

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: {
    location: location
    namePrefix: namePrefix
    infrastructureSubnetId: vnet.properties.subnets[1].id
    logAnalyticsWorkspaceName: logAnalytics.name
    redisPassword: redisPassword
    replicaCount: redisReplicaCount
  }
}

// The internal environment's apps resolve only through a private zone for its default domain.
module redisDns 'modules/private-dns.bicep' = {
  name: 'redis-dns'
  params: {
    zoneName: redis.outputs.defaultDomain
    staticIp: redis.outputs.staticIp
    vnetId: vnet.id
  }
}

// ---------- Key Vault: Redis connection strings (they contain the password) ----------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource primarySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'ryw-redis-primary'
  properties: {
    value: '${redis.outputs.primaryEndpoint},password=${redisPassword},abortConnect=false,connectTimeout=5000'
  }
}

resource replicaSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for i in range(0, redisReplicaCount): {
  parent: keyVault
  name: 'ryw-redis-replica-${i}'
  properties: {
    value: '${redis.outputs.replicaEndpoints[i]},password=${redisPassword},abortConnect=false,connectTimeout=5000'
  }
}]

// ---------- Function App (Flex Consumption) ----------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Key Vault references by vault and secret name: known before deployment, resolved by the platform with the app's identity.
var replicaSettings = [for i in range(0, redisReplicaCount): {
  name: 'ServerlessRyw__Replicas__${i}'
  value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=ryw-redis-replica-${i})'
}]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: vnet.properties.subnets[0].id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        {
          // Identity-based host storage (also the default connection of the sample's queue bindings).
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          name: 'ServerlessRyw__Mode'
          value: rywMode
        }
        {
          name: 'ServerlessRyw__WaitBudget'
          value: '00:00:00.100'
        }
        {
          name: 'ServerlessRyw__Primary'
          value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${primarySecret.name})'
        }
      ], replicaSettings)
    }
  }
  dependsOn: [
    redisDns
    replicaSecrets
  ]
}

// ---------- Role assignments for the app's identity ----------

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [ roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor ]: {
  name: guid(storage.id, functionApp.id, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionApp.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, functionApp.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------- Outputs ----------

@description('Function App name (for func azure functionapp publish).')
output functionAppName string = functionApp.name

@description('Base URL of the Function App.')
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'

@description('Storage account with the sample queues.')
output storageAccountName string = storage.name

@description('Application Insights resource.')
output appInsightsName string = appInsights.name

@description('Key Vault holding the Redis connection strings.')
output keyVaultName string = keyVault.name

@description('Redis primary, host:port (reachable from the VNet only).')
output redisPrimaryEndpoint string = redis.outputs.primaryEndpoint

@description('Redis replicas, host:port (reachable from the VNet only).')
output redisReplicaEndpoints array = redis.outputs.replicaEndpoints
