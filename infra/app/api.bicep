// The Flex Consumption function app (Python 3.11). Everything it reaches in Azure it reaches as
// its user-assigned identity: no storage keys, no connection strings, no secrets in app settings.

@description('Name of the function app.')
param name string

param location string = resourceGroup().location
param tags object = {}

@description('Service name in azure.yaml: azd finds the app by its azd-service-name tag.')
param serviceName string = 'api'

param appServicePlanId string
param storageAccountName string

@description('Blob container that holds the deployed package.')
param deploymentContainerName string

param applicationInsightsName string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

param maximumInstanceCount int
param instanceMemoryMB int

@description('The settings of remediation/settings.py; the host settings below are added to them.')
param appSettings object

@description('Subnet the app joins (private networking); empty: none.')
param virtualNetworkSubnetId string = ''

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var hostSettings = {
  // Identity-based host storage; the app reads the same queue and table URIs for its own calls.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  // azure-identity picks the user-assigned identity by this id (the app has no system identity).
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: '${serviceName}-flex-consumption'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    serverFarmResourceId: appServicePlanId
    httpsOnly: true
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identityId]
    }
    // Key Vault references resolve with the user-assigned identity, not a system one.
    keyVaultAccessIdentityResourceId: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
    }
    // azd deploys with an Entra token; nobody needs FTP or SCM basic credentials.
    basicPublishingCredentialsPolicies: [
      {
        name: 'ftp'
        allow: false
      }
      {
        name: 'scm'
        allow: false
      }
    ]
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    appSettingsKeyValuePairs: union(appSettings, hostSettings)
  }
}

output name string = site.outputs.name
output defaultHostname string = site.outputs.defaultHostname
