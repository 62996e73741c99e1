// Self-managed Redis/Valkey on Azure Container Apps: one primary (AOF on an Azure Files share) and N read
// replicas, each its own app so each has its own address (token mode routes reads to replicas one by one).
//
// Reachability: the environment is VNet-injected with an internal load balancer (internal: true), so nothing is
// public; each app's TCP ingress is external: true, which in an internal environment means "reachable from the
// VNet" (external: false would mean "only from apps inside this environment", and the Function App is not one).
// private-dns.bicep maps primary/replica-N.<zone> to the load balancer; the NSG (network.bicep) admits the functions subnet.
// Inside the environment a TCP app is reached by app name and exposed port: replicas use <primary app>:6379.

@description('Azure region.')
param location string

@description('Name prefix.')
param namePrefix string

@description('Subnet for the environment (delegated to Microsoft.App/environments).')
param infrastructureSubnetId string

@description('Log Analytics workspace that receives container logs.')
param logAnalyticsName string

@description('Storage account holding the primary\'s append-only file (redis-storage.bicep).')
param dataAccountName string

@description('File share holding the primary\'s append-only file.')
param dataShareName string

@description('Image pinned by digest (checked in main.bicep).')
param image string

@description('Registry server to pull from with the identity (empty: anonymous pull).')
param registryServer string = ''

@description('User-assigned identity used for the registry pull.')
param identityId string

@description('Password of ACL user app.')
@secure()
param appPassword string

@description('Password of ACL user replicator.')
@secure()
param replicationPassword string

@description('Read replicas.')
@minValue(1)
@maxValue(3)
param replicaCount int

@description('vCPU per node; memory is twice that in GiB, maxmemory half the memory.')
@allowed([ '0.5', '1.0', '2.0' ])
param cpu string

@description('Changes whenever a password changes, so the containers restart with it instead of keeping the old one (a secret value change alone creates no revision). A 13-character hash, not reversible to a 32+ character random password.')
param restartStamp string

@description('maxmemory-policy. noeviction: writes fail with OOM when full, nothing is silently dropped.')
@allowed([ 'noeviction', 'allkeys-lru', 'allkeys-lfu', 'volatile-lru', 'volatile-lfu', 'volatile-ttl' ])
param maxMemoryPolicy string

var sizes = {
  '0.5': { memory: '1Gi', maxMemoryMb: 512 }
  '1.0': { memory: '2Gi', maxMemoryMb: 1024 }
  '2.0': { memory: '4Gi', maxMemoryMb: 2048 }
}
var size = sizes[cpu]
var primaryName = '${namePrefix}-redis-primary'
var startScript = loadTextContent('redis-start.sh')


// Flags every node gets: a memory bound (maxmemory on every node; replicas do not evict by themselves, they
// follow the primary's evictions), fast replica attach, no RDB snapshots.
var commonFlags = [ '--port', '6379', '--maxmemory', '${size.maxMemoryMb}mb', '--maxmemory-policy', maxMemoryPolicy, '--save', '', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0' ]
// Primary: append-only file on the Azure Files share, fsync every second, so a restart (platform move, OOM kill)
// reloads the data and the replicas resynchronise from it instead of from an empty primary.
var primaryFlags = concat(commonFlags, [ '--appendonly', 'yes', '--appendfsync', 'everysec', '--aof-use-rdb-preamble', 'yes', '--dir', '/data' ])
// Replicas: in memory only, read-only, replicating from the primary app by name (credentials in secrets.conf).
var replicaFlags = concat(commonFlags, [ '--appendonly', 'no', '--dir', '/tmp', '--replica-read-only', 'yes', '--replicaof', primaryName, '6379' ])

var secrets = [
  { name: 'app-password', value: appPassword }
  { name: 'replication-password', value: replicationPassword }
]
var secretEnv = [
  { name: 'REDIS_APP_PASSWORD', secretRef: 'app-password' }
  { name: 'REDIS_REPLICATION_PASSWORD', secretRef: 'replication-password' }
  { name: 'RYW_RESTART_STAMP', value: restartStamp }
]
var registries = empty(registryServer) ? [] : [ { server: registryServer, identity: identityId } ]
var probes = [
  { type: 'Startup', tcpSocket: { port: 6379 }, periodSeconds: 5, failureThreshold: 60 } // AOF load + lock wait
  { type: 'Readiness', tcpSocket: { port: 6379 }, periodSeconds: 5, failureThreshold: 3 }
  { type: 'Liveness', tcpSocket: { port: 6379 }, periodSeconds: 10, failureThreshold: 6 }
]

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' existing = {
  name: logAnalyticsName
}

resource dataAccount 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: dataAccountName
}

resource environment 'Microsoft.App/managedEnvironments@2026-07-01' = {
  name: '${namePrefix}-redis-env'
  location: location
  properties: {
    vnetConfiguration: {
      infrastructureSubnetId: infrastructureSubnetId
      internal: true
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logAnalytics.properties.customerId
        sharedKey: logAnalytics.listKeys().primarySharedKey
      }
    }
  }
}

resource dataStorage 'Microsoft.App/managedEnvironments/storages@2026-07-01' = {
  parent: environment
  name: 'redis-data'
  properties: {
    azureFile: {
      accountName: dataAccount.name
      accountKey: dataAccount.listKeys().keys[0].value
      shareName: dataShareName
      accessMode: 'ReadWrite'
    }
  }
}

resource primary 'Microsoft.App/containerApps@2026-07-01' = {
  name: primaryName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        transport: 'tcp'
        targetPort: 6379
        exposedPort: 6379
      }
      secrets: secrets
      registries: registries
    }
    template: {
      containers: [
        {
          name: 'redis'
          image: image
          command: [ 'sh', '-c', startScript, 'redis-start' ]
          args: primaryFlags
          env: concat(secretEnv, [ { name: 'REDIS_LOCK_FILE', value: '/data/.primary.lock' } ])
          resources: {
            cpu: json(cpu)
            memory: size.memory
          }
          probes: probes
          volumeMounts: [
            {
              volumeName: 'data'
              mountPath: '/data'
            }
          ]
        }
      ]
      volumes: [
        {
          name: 'data'
          storageType: 'AzureFile'
          storageName: dataStorage.name
        }
      ]
      // Exactly one instance: two would be two unrelated primaries writing one AOF.
      scale: {
        minReplicas: 1
        maxReplicas: 1
      }
    }
  }
}

// TCP exposed ports must be unique within the environment: replicas use 6380, 6381, ...
resource replicas 'Microsoft.App/containerApps@2026-07-01' = [for i in range(0, replicaCount): {
  name: '${namePrefix}-redis-replica-${i}'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        transport: 'tcp'
        targetPort: 6379
        exposedPort: 6380 + i
      }
      secrets: secrets
      registries: registries
    }
    template: {
      containers: [
        {
          name: 'redis'
          image: image
          command: [ 'sh', '-c', startScript, 'redis-start' ]
          args: replicaFlags
          env: secretEnv
          resources: {
            cpu: json(cpu)
            memory: size.memory
          }
          probes: probes
        }
      ]
      scale: {
        minReplicas: 1
        maxReplicas: 1
      }
    }
  }
  dependsOn: [
    primary
  ]
}]

@description('Static IP of the environment\'s internal load balancer.')
output staticIp string = environment.properties.staticIp

