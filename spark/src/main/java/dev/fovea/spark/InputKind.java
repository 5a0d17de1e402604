package dev.fovea.spark;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** What the input column holds, read from its type; anything else is rejected naming the column and its type. */
enum InputKind {
    /** Spark's {@code image} data source struct: BGR(A) bytes row by row, with height, width and channels. */
    IMAGE_STRUCT,
    /** The bytes of an encoded picture (the {@code binaryFile} data source's {@code content}). */
    ENCODED,
    /** Prepared values, in the model's layout order. */
    FLOATS,
    DOUBLES;

    /** The fields of Spark's image struct that decoding reads. */
    static final List<String> IMAGE_FIELDS = List.of("origin", "height", "width", "nChannels", "mode", "data");
    /** Their types, as Spark's image source gives them. */
    static final List<DataType> IMAGE_TYPES = List.of(DataTypes.StringType, DataTypes.IntegerType,
            DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.BinaryType);

    static InputKind of(StructType schema, String column) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(column)) {
            throw new IllegalArgumentException("FoveaClassifier: input column '" + column + "' is not in the input"
                    + " (columns: " + names + "); set inputCol");
        }
        DataType type = schema.apply(column).dataType();
        if (type.equals(DataTypes.BinaryType)) {
            return ENCODED;
        }
        if (type instanceof ArrayType array) {
            if (array.elementType().equals(DataTypes.FloatType)) {
                return FLOATS;
            }
            if (array.elementType().equals(DataTypes.DoubleType)) {
                return DOUBLES;
            }
        }
        if (type instanceof StructType struct
                && Arrays.stream(struct.fields()).map(StructField::name).toList().containsAll(IMAGE_FIELDS)) {
            for (int i = 0; i < IMAGE_FIELDS.size(); i++) {
                DataType field = struct.apply(IMAGE_FIELDS.get(i)).dataType();
                if (!field.equals(IMAGE_TYPES.get(i))) {
                    throw new IllegalArgumentException("FoveaClassifier: input column '" + column + "' is an "
                            + "image struct whose field '" + IMAGE_FIELDS.get(i) + "' has type "
                            + field.simpleString() + "; Spark's image source gives it type "
                            + IMAGE_TYPES.get(i).simpleString());
                }
            }
            return IMAGE_STRUCT;
        }
        throw new IllegalArgumentException("FoveaClassifier: input column '" + column + "' has type "
                + type.simpleString() + "; it must be Spark's image struct (format \"image\"), binary (encoded "
                + "image bytes, format \"binaryFile\"), or array<float> / array<double> (prepared values)");
    }
}
