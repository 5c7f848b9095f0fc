-- databases beside the connector's own: the schema registry's storage and the integration tests'
create database apicurio_registry owner connector;
create database connector_test owner connector;
