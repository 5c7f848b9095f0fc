/*
 * Amazon connector: extension tables for a Sage 500 company database (SQL Server).
 * Ours, not Sage's. Run once per company database by a DBA (db_owner), before the first connection.
 * Idempotent: run again, it changes nothing. Not run against a real SQL Server yet (docs/sage500.md).
 *
 * tsoSalesOrderExt_CNX: the Amazon order id of each sales order the connector wrote, keyed by SOKey
 *   (Sage's convention for custom tables: the application table's surrogate key, a vendor suffix).
 *   The Amazon order id (19 characters) does not fit tsoSalesOrder.CustPONo or UserFld1..4 (15).
 *   The connector reads it before every insert and writes it in the same transaction as the order;
 *   the unique key stops two writers creating the same order twice.
 * tciDocumentExt_CNX: the same for invoices, journals (GL batch key) and cash receipts, by kind.
 *
 * The connector's SQL login needs: SELECT, INSERT on both tables; EXECUTE on spGetNextSurrogateKey,
 * spSOapiSalesOrdIns, spglAPIPostBatchlessGLPosting and the two _CNX procedures below; INSERT,
 * DELETE on StgSalesOrder, StgSOLine, tdmMigrationLogWrk; INSERT on tglPosting; SELECT on the tables
 * it reads (tsoSalesOrder, tsoSOLine, timItem, timInventory, timWhseBinInvt, timWhseBin,
 * timWarehouse, timItemUnitPrice, tglAccount, tsoShipment, tsoShipLine).
 *
 * spARInvoiceIns_CNX and spARCashRcptIns_CNX are NOT created here: public material names no Sage 500
 * AR invoice or cash receipt import procedure, so their bodies must come from the customer's Sage
 * partner (wrapping the DIM AR imports). The connector calls them with these signatures:
 *   spARInvoiceIns_CNX  @iCompanyID VARCHAR(3), @iCustID VARCHAR(12), @iTranDate DATE, @iCurrID VARCHAR(3),
 *                       @iTranAmt DECIMAL(15,3), @iTranCmnt VARCHAR(50),
 *                       @oInvcKey INT OUTPUT, @oTranNo VARCHAR(10) OUTPUT, @oRetVal INT OUTPUT
 *   spARCashRcptIns_CNX @iCompanyID VARCHAR(3), @iCustID VARCHAR(12), @iTranDate DATE, @iCurrID VARCHAR(3),
 *                       @iTranAmt DECIMAL(15,3), @iCashAcctNo VARCHAR(100), @iTranCmnt VARCHAR(50),
 *                       @oCustPmtKey INT OUTPUT, @oTranNo VARCHAR(10) OUTPUT, @oRetVal INT OUTPUT
 *   @oRetVal: 1 created, 2 customer not found, 3 parameter error, 4 cash account not found.
 */
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;

IF OBJECT_ID(N'dbo.tsoSalesOrderExt_CNX', N'U') IS NULL
BEGIN
  CREATE TABLE dbo.tsoSalesOrderExt_CNX (
    SOKey         INT         NOT NULL,
    CompanyID     VARCHAR(3)  NOT NULL,
    AmazonOrderId VARCHAR(50) NOT NULL,
    CreateDate    DATETIME    NOT NULL CONSTRAINT DF_tsoSalesOrderExt_CNX_CreateDate DEFAULT (GETDATE()),
    CONSTRAINT PK_tsoSalesOrderExt_CNX PRIMARY KEY CLUSTERED (SOKey),
    CONSTRAINT FK_tsoSalesOrderExt_CNX_tsoSalesOrder FOREIGN KEY (SOKey) REFERENCES dbo.tsoSalesOrder (SOKey)
  );
  CREATE UNIQUE NONCLUSTERED INDEX UX_tsoSalesOrderExt_CNX_AmazonOrderId
    ON dbo.tsoSalesOrderExt_CNX (CompanyID, AmazonOrderId);
END;

IF OBJECT_ID(N'dbo.tciDocumentExt_CNX', N'U') IS NULL
BEGIN
  CREATE TABLE dbo.tciDocumentExt_CNX (
    CompanyID  VARCHAR(3)   NOT NULL,
    DocKind    VARCHAR(12)  NOT NULL, -- INVOICE, JOURNAL, RECEIPT
    NaturalKey VARCHAR(100) NOT NULL, -- Amazon order id, or <settlementId>/<marketplaceId>/<currency>
    TranKey    INT          NOT NULL, -- InvcKey, GL BatchKey, CustPmtKey
    TranNo     VARCHAR(13)  NOT NULL,
    CreateDate DATETIME     NOT NULL CONSTRAINT DF_tciDocumentExt_CNX_CreateDate DEFAULT (GETDATE()),
    CONSTRAINT PK_tciDocumentExt_CNX PRIMARY KEY CLUSTERED (CompanyID, DocKind, NaturalKey)
  );
END;
