// Self-managed Redis on Azure Container Apps: one primary and N read replicas, reachable over TCP from the VNet.
// Why not a managed Redis service: see infra/README.md ("Choosing Redis").

@description('Azure region.')
param location string

@description('Name prefix for the Container Apps resources.')
param namePrefix string

@description('Subnet for the Container Apps environment (delegated to Microsoft.App/environments, /27 or larger).')
param infrastructureSubnetId string

@description('Log Analytics workspace that receives container logs.')
param logAnalyticsWorkspaceName string

@description('Redis password (requirepass on every node, masterauth on replicas).')
@secure()
param redisPassword string

@description('Number of read replicas (each a container app with one instance).')
@minValue(1)
@maxValue(3)
param replicaCount int = 1

@description('Redis container image.')
param redisImage string = 'docker.io/library/redis:7.4'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

// Internal environment: no public endpoint; TCP ingress needs a VNet-injected environment.
resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
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

// Common redis-server flags: a cache (no persistence), diskless sync with no delay so replicas attach in seconds.
var baseFlags = '--save "" --appendonly no --repl-diskless-sync yes --repl-diskless-sync-delay 0 --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD"'

resource primary 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${namePrefix}-redis-primary'
  location: location
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      ingress: {
        external: false
        transport: 'tcp'
        targetPort: 6379
        exposedPort: 6379
      }
      secrets: [
        {
          name: 'redis-password'
          value: redisPassword
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'redis'
          image: redisImage
          command: [ 'sh', '-c' ]
          args: [ 'exec redis-server ${baseFlags}' ]
          env: [
            {
              name: 'REDIS_PASSWORD'
              secretRef: 'redis-password'
            }
          ]
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
        }
      ]
      // Exactly one instance: two would be two unrelated primaries.
      scale: {
        minReplicas: 1
        maxReplicas: 1
      }
    }
  }
}

// Each replica is its own container app so it has its own address (the read routing needs to address replicas
// one by one). TCP exposed ports must be unique within the environment.
resource replicas 'Microsoft.App/containerApps@2024-03-01' = [for i in range(0, replicaCount): {
  name: '${namePrefix}-redis-replica-${i}'
  location: location
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      ingress: {
        external: false
        transport: 'tcp'
        targetPort: 6379
        exposedPort: 6380 + i
      }
      secrets: [
        {
          name: 'redis-password'
          value: redisPassword
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'redis'
          image: redisImage
          command: [ 'sh', '-c' ]
          args: [ 'exec redis-server ${baseFlags} --replica-read-only yes --replicaof ${primary.properties.configuration.ingress.fqdn} 6379' ]
          env: [
            {
              name: 'REDIS_PASSWORD'
              secretRef: 'redis-password'
            }
          ]
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
        }
      ]
      scale: {
        minReplicas: 1
        maxReplicas: 1
      }
    }
  }
}]

@description('Default domain of the internal environment (for the private DNS zone).')
output defaultDomain string = environment.properties.defaultDomain

@description('Static IP of the internal environment.')
output staticIp string = environment.properties.staticIp

@description('Primary endpoint, host:port.')
output primaryEndpoint string = '${primary.properties.configuration.ingress.fqdn}:6379'

@description('Replica endpoints, host:port.')
output replicaEndpoints array = [for i in range(0, replicaCount): '${replicas[i].properties.configuration.ingress.fqdn}:${6380 + i}']
