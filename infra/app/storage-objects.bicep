// The queues and the table the app uses, created up front so that no code path depends on
// create-if-absent rights and peeking the poison queue never meets a missing queue.

param storageAccountName string

@description('REMEDIATION_QUEUE; the Functions host moves messages that failed maxDequeueCount times to <queue>-poison.')
param queueName string

@description('JOBS_TABLE.')
param tableName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in [queueName, '${queueName}-poison']: {
    parent: queueService
    name: queue
  }
]

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: tableName
}
