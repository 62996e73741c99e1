// Azure Files share for the primary's append-only file. A storage account of its own because Container Apps
// mounts Azure Files over SMB with the account key (shared keys stay off on the host storage account); its
// firewall admits only the Redis subnet (service endpoint) and Azure services.

@description('Azure region.')
param location string

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Subnet of the Container Apps environment (the only network allowed in).')
param redisSubnetId string

@description('File share name.')
param shareName string = 'redis-data'

@description('Share quota in GiB (the AOF is rewritten when it doubles; keep a few times maxmemory).')
@minValue(1)
@maxValue(1024)
param quotaGiB int = 16

resource account 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    // Required by the Container Apps SMB mount (it authenticates with the account key).
    allowSharedKeyAccess: true
    supportsHttpsTrafficOnly: true
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [
        {
          id: redisSubnetId
          action: 'Allow'
        }
      ]
    }
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2026-09-01' = {
  parent: account
  name: 'default'
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2026-09-01' = {
  parent: fileService
  name: shareName
  properties: {
    shareQuota: quotaGiB
    enabledProtocols: 'SMB'
  }
}

@description('Storage account name.')
output accountName string = account.name

@description('File share name.')
output shareName string = share.name
